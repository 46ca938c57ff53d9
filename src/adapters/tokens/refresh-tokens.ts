import { hash, randomBytes } from 'node:crypto';

/** A new opaque refresh token: 256 bits from the CSPRNG, base64url. */
export const newRefreshToken = () => randomBytes(32).toString('base64url');

/** What the database keeps instead of the token. */
export const hashRefreshToken = (token: string) => hash('sha256', token, 'hex');
