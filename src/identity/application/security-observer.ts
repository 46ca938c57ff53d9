import type { DomainEvent } from '../../kernel/domain-event.js';

/** How a sign-in attempt ended, as operators count it. */
export type SignInOutcome = 'succeeded' | 'mfa_required' | 'failed' | 'mfa_failed' | 'rate_limited';

/**
 * What operators count of the service's security decisions (the metrics adapter implements it,
 * the composition root wires it in). Told only what happened: a decision recorded in a transaction
 * is reported once that transaction committed, whether or not the audit trail is on. Every
 * argument comes from a fixed set of names: never a user id, an address or a client's text.
 */
export interface SecurityObserver {
  /** A sign-in attempt ended; `reason` is the failure category of `failed` and `mfa_failed`. */
  signIn(outcome: SignInOutcome, reason?: string): void;
  /** An account became locked: `failed_logins` (a lockout) or `admin`. */
  accountLocked(by: string): void;
  /** A rotated-away refresh token was presented again and its session revoked. */
  refreshTokenReused(): void;
}

export const unobserved: SecurityObserver = {
  signIn: () => {},
  accountLocked: () => {},
  refreshTokenReused: () => {},
};

/** A category as recorded by our own code; anything else is reported as `other`. */
const category = (value: unknown): string =>
  typeof value === 'string' && /^[a-z][a-z_]{0,39}$/.test(value) ? value : 'other';

/** Reports the events of a committed transaction that operators count. */
export function reportCommitted(observer: SecurityObserver) {
  return (events: readonly DomainEvent[]): void => {
    for (const event of events) {
      switch (event.type) {
        case 'login.succeeded':
          observer.signIn('succeeded');
          break;
        case 'login.password_verified':
          observer.signIn('mfa_required');
          break;
        case 'login.failed':
          observer.signIn('failed', category(event.data.reason));
          break;
        case 'mfa.failed':
          observer.signIn('mfa_failed', category(event.data.reason));
          break;
        case 'user.locked':
          observer.accountLocked(category(event.data.by));
          break;
        case 'refresh_token.reused':
          observer.refreshTokenReused();
          break;
      }
    }
  };
}
