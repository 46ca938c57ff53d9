import { AsyncLocalStorage } from 'node:async_hooks';
import pino from 'pino';

/** Mutable per-request facts that every log line of the request carries. */
export interface RequestScope {
  requestId: string;
  operationName?: string;
  userId?: string;
}

/** Keys whose values never reach a log line, wherever they appear. */
export const REDACTED_KEYS = [
  'password',
  'currentPassword',
  'newPassword',
  'passwordHash',
  'token',
  'accessToken',
  'refreshToken',
  'challengeToken',
  'code',
  'secret',
  'authorization',
  'cookie',
  // Wallet sign-in: the signed message's nonce and the wallet's signature.
  'signature',
  'nonce',
  // WebAuthn responses (a passkey's assertion or attestation).
  'clientDataJSON',
  'authenticatorData',
  'attestationObject',
];

export function createLogger(opts: {
  level: string;
  scope: AsyncLocalStorage<RequestScope>;
  destination?: pino.DestinationStream;
}) {
  return pino(
    {
      level: opts.level,
      base: { service: 'elcorp-identity' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: [
          ...REDACTED_KEYS,
          ...REDACTED_KEYS.map((k) => `*.${k}`),
          'req.headers.authorization',
          'req.headers.cookie',
        ],
        censor: '[redacted]',
      },
      mixin: () => {
        const scope = opts.scope.getStore();
        return scope ? { requestId: scope.requestId } : {};
      },
    },
    opts.destination,
  );
}

export type Logger = ReturnType<typeof createLogger>;

export const createRequestScope = () => new AsyncLocalStorage<RequestScope>();

export type RequestScopeStorage = AsyncLocalStorage<RequestScope>;
