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

export interface DomainErrorDetails {
  /** The input field at fault, for BAD_USER_INPUT and CONFLICT. */
  field?: string;
  /** Seconds until a retry can succeed, for RATE_LIMITED. */
  retryAfterSeconds?: number;
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

export const unauthenticated = (message = 'Authentication required') =>
  new DomainError(ErrorCode.UNAUTHENTICATED, message);

/** One text for every failed sign-in, so a response never tells which part was wrong. */
export const invalidCredentials = () => new DomainError(ErrorCode.INVALID_CREDENTIALS, 'Invalid credentials');

export const forbidden = (message = 'Not allowed') => new DomainError(ErrorCode.FORBIDDEN, message);

export const notFound = (message = 'Not found') => new DomainError(ErrorCode.NOT_FOUND, message);

export const conflict = (field: string, message: string) =>
  new DomainError(ErrorCode.CONFLICT, message, { field });
