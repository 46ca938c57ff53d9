import { unwrapResolverError } from '@apollo/server/errors';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { GraphQLFormattedError } from 'graphql';
import { describeError } from '../../kernel/describe-error.js';
import { DomainError, ErrorCode, RequestErrorCode } from '../../kernel/errors.js';
import type { Logger } from '../../kernel/logger.js';

/**
 * Apollo's own request errors: safe to pass on, with their code. Only codes of the catalogue
 * (kernel/errors.ts), so that a client never sees a code the schema's ErrorCode enum lacks.
 */
const APOLLO_CODES = new Set<string>([...Object.values(RequestErrorCode), ErrorCode.BAD_USER_INPUT]);

/** Which input field a unique index protects. */
const UNIQUE_FIELDS: Record<string, string> = {
  users_email_unique: 'email',
  users_username_lower_unique: 'username',
  users_username_skeleton_unique: 'username',
  users_wallet_unique: 'walletAddress',
  passkeys_credential_id_unique: 'response',
};

/**
 * The one place where errors become what a client sees: DomainErrors keep
 * their code and message, unique violations become CONFLICT, Apollo's request
 * errors pass (with submitted values removed from the message), and everything
 * else is logged and masked as INTERNAL_SERVER_ERROR with the request id.
 */
export function createErrorFormatter(deps: { logger: Logger; requestId: () => string | undefined }) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    const where = { locations: formatted.locations, path: formatted.path };

    if (original instanceof DomainError) {
      const { field, retryAfterSeconds, reason } = original.details;
      return {
        message: original.message,
        ...where,
        extensions: {
          code: original.code,
          ...(field && { field }),
          ...(retryAfterSeconds !== undefined && { retryAfterSeconds }),
          ...(reason && { reason }),
        },
      };
    }
    if (original instanceof UniqueConstraintViolationException) {
      const constraint = (original as { constraint?: string }).constraint ?? '';
      const field = UNIQUE_FIELDS[constraint];
      if (field)
        return {
          message: `That ${field} is already taken`,
          ...where,
          extensions: { code: ErrorCode.CONFLICT, field },
        };
    }
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && APOLLO_CODES.has(code) && original === error) {
      return {
        message: withoutValues(formatted.message),
        ...where,
        extensions: { code, ...fieldOf(formatted.message) },
      };
    }

    const requestId = deps.requestId();
    deps.logger.error({ error: describeError(original), path: formatted.path }, 'unexpected error');
    return {
      message: 'Internal server error',
      ...where,
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, requestId },
    };
  };
}

/** graphql-js quotes the submitted value ("got invalid value {…}"), which may hold a password. */
const withoutValues = (message: string) => message.replace(/ got invalid value [\s\S]*?; /, ' is invalid: ');

const fieldOf = (message: string) => {
  const m = /Field "([^"]+)"/.exec(message);
  return m ? { field: m[1] } : {};
};
