import { CombinedGraphQLErrors } from '@apollo/client/errors';

/** An error as the console shows it: next to a field when the service named one. */
export interface UiError {
  message: string;
  code?: string;
  /** The input field (`extensions.field`) the error is about. */
  field?: string;
  /** Seconds to wait (RATE_LIMITED). */
  retryAfterSeconds?: number;
}

/**
 * An error the console itself describes (not the service): its message is already in words for
 * the person, e.g. a passkey dialog that was closed.
 */
export class ConsoleError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'ConsoleError';
  }
}

interface ErrorExtensions {
  code?: string;
  field?: string;
  retryAfterSeconds?: number;
}

/** What went wrong, in words for the person using the console. */
export function toUiError(error: unknown): UiError {
  if (error instanceof ConsoleError) return { code: error.code, message: error.message };
  if (CombinedGraphQLErrors.is(error)) {
    const first = error.errors[0];
    const ext = (first?.extensions ?? {}) as ErrorExtensions;
    const code = ext.code;
    if (code === 'RATE_LIMITED') {
      const wait = typeof ext.retryAfterSeconds === 'number' ? ext.retryAfterSeconds : undefined;
      return {
        code,
        retryAfterSeconds: wait,
        message:
          wait === undefined
            ? 'Too many attempts. Wait a while, then try again.'
            : `Too many attempts. Try again in ${formatWait(wait)}.`,
      };
    }
    if (code === 'INTERNAL_SERVER_ERROR')
      return { code, message: 'Something went wrong on our side. Try again in a moment.' };
    if (code === 'UNAUTHENTICATED') return { code, message: 'Your session has ended. Sign in again.' };
    return { code, field: ext.field, message: first?.message ?? 'The request failed.' };
  }
  return { message: 'The service could not be reached. Check your connection and try again.' };
}

export function formatWait(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 60) return `${minutes} minute${minutes === 1 ? '' : 's'}`;
  const hours = Math.ceil(minutes / 60);
  return `${hours} hour${hours === 1 ? '' : 's'}`;
}
