import type { Clock } from '../../kernel/clock.js';
import type { UseCases } from '../application/identity-application.js';
import type { Loaders } from '../application/loaders.js';
import type { RequestContext } from '../application/request-context.js';

/** Tokens that a sign-in or a refresh hands to the client. */
export interface IssuedTokens {
  refreshToken?: string;
  refreshTokenExpiresAt: Date;
  deviceTrustToken?: string;
  deviceTrustTokenExpiresAt?: Date;
}

/**
 * How this request's refresh and device-trust tokens travel: in the response body (native and
 * server clients), or, when the client asks with `X-Token-Transport: cookie`, in HttpOnly cookies
 * that page script can never read (browser apps).
 */
export interface TokenTransport {
  /** The client asked for the cookie transport. */
  readonly cookies: boolean;
  /** The tokens of the request's cookies, if any (from an allowed origin: the edge refuses others). */
  readonly refreshToken: string | undefined;
  readonly deviceTrustToken: string | undefined;
  /** Sets the cookies for these tokens. */
  issue(tokens: IssuedTokens): void;
  /** Ends both cookies (sign-out: a shared browser forgets the device too). */
  clear(): void;
}

/** Per request: the request context every use case takes, the use cases, and batch loaders. */
export interface GraphQLContext extends RequestContext {
  useCases: UseCases;
  loaders: Loaders;
  /** The service's clock, for fields that depend on the time they are read. */
  clock: Clock;
  tokens: TokenTransport;
}
