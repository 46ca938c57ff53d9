/**
 * The closed catalogue of error codes a client can see, part of the public contract.
 * Domain code throws DomainError with one of these; the GraphQL edge maps it
 * to `extensions.code`, and anything that is not a DomainError is masked.
 */
export const ErrorCode = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  INVALID_CREDENTIALS: 'INVALID_CREDENTIALS',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  RATE_LIMITED: 'RATE_LIMITED',
  REFRESH_TOKEN_REUSED: 'REFRESH_TOKEN_REUSED',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * The codes of request errors that Apollo Server and the HTTP edge produce before any resolver
 * runs, passed on to the client as they are (format-error.ts). No domain code throws these.
 * PERSISTED_QUERY_NOT_SUPPORTED is absent: automatic persisted queries are on, so Apollo never
 * answers it.
 */
export const RequestErrorCode = {
  /** The document is not valid GraphQL syntax. */
  GRAPHQL_PARSE_FAILED: 'GRAPHQL_PARSE_FAILED',
  /** The document does not validate against the schema or the document limits. */
  GRAPHQL_VALIDATION_FAILED: 'GRAPHQL_VALIDATION_FAILED',
  /** The HTTP request is malformed: no query, a body too large or not JSON, a CSRF-unsafe request. */
  BAD_REQUEST: 'BAD_REQUEST',
  /** The document holds several operations and `operationName` names none of them. */
  OPERATION_RESOLUTION_FAILURE: 'OPERATION_RESOLUTION_FAILURE',
  /** An automatic persisted query whose hash is not (or no longer) cached: resend it with the query. */
  PERSISTED_QUERY_NOT_FOUND: 'PERSISTED_QUERY_NOT_FOUND',
} as const;

export type RequestErrorCode = (typeof RequestErrorCode)[keyof typeof RequestErrorCode];

/** Every `extensions.code` the service can answer: the domain catalogue and the request errors. */
export const ServedErrorCode = { ...ErrorCode, ...RequestErrorCode } as const;

export type ServedErrorCode = (typeof ServedErrorCode)[keyof typeof ServedErrorCode];

/**
 * Why a request is UNAUTHENTICATED, as `extensions.reason`: what a client should do next.
 * TOKEN_EXPIRED: refresh the session. TOKEN_INVALID (also: no bearer token at all): sign in, or
 * send the access token. SESSION_ENDED: the session was revoked or expired, or the account can no
 * longer be used; sign in again. DEVICE_MISMATCH: the token belongs to another X-Device-Id.
 */
export const UnauthenticatedReason = {
  TOKEN_EXPIRED: 'TOKEN_EXPIRED',
  TOKEN_INVALID: 'TOKEN_INVALID',
  SESSION_ENDED: 'SESSION_ENDED',
  DEVICE_MISMATCH: 'DEVICE_MISMATCH',
} as const;

export type UnauthenticatedReason = (typeof UnauthenticatedReason)[keyof typeof UnauthenticatedReason];

export interface DomainErrorDetails {
  /** The input field at fault, for BAD_USER_INPUT and CONFLICT. */
  field?: string;
  /** Seconds until a retry can succeed, for RATE_LIMITED. */
  retryAfterSeconds?: number;
  /** Why, for UNAUTHENTICATED. */
  reason?: UnauthenticatedReason;
}

/** An expected failure whose code and message are safe to show to the client. */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: DomainErrorDetails = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const badInput = (field: string, message: string) =>
  new DomainError(ErrorCode.BAD_USER_INPUT, message, { field });

/** UNAUTHENTICATED, with the reason when the caller knows it (sent as `extensions.reason`). */
/** Every UNAUTHENTICATED answer says why, so a client knows whether refreshing can help. */
export const unauthenticated = (message: string, reason: UnauthenticatedReason) =>
  new DomainError(ErrorCode.UNAUTHENTICATED, message, { reason });

/** One text for every failed sign-in, so a response never tells which part was wrong. */
export const invalidCredentials = () => new DomainError(ErrorCode.INVALID_CREDENTIALS, 'Invalid credentials');

export const forbidden = (message = 'Not allowed') => new DomainError(ErrorCode.FORBIDDEN, message);

export const notFound = (message = 'Not found') => new DomainError(ErrorCode.NOT_FOUND, message);

export const conflict = (field: string, message: string) =>
  new DomainError(ErrorCode.CONFLICT, message, { field });
