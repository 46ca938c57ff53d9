/** A compact JWS: header, payload and signature, each base64url without padding. */
export const JWT_FORMAT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** An opaque refresh token: 32 random bytes, base64url. */
export const REFRESH_TOKEN_FORMAT = /^[A-Za-z0-9_-]{43}$/;

export const UUID_FORMAT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** One segment of a JWT, decoded from base64url JSON. */
export const decodeSegment = (segment: string) => JSON.parse(Buffer.from(segment, 'base64url').toString());

/** A value encoded as a JWT segment. */
export const encodeSegment = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** The decoded protected header of a JWT. */
export const jwtHeader = (token: string) => decodeSegment(token.split('.')[0]);
