import type { EntityManager } from '@mikro-orm/postgresql';
import type { PasswordHasher } from '../../adapters/crypto/password-hasher.js';
import type { Clock } from '../../kernel/clock.js';
import { checkPassword } from '../domain/password-policy.js';
import { SessionRevocation } from '../domain/session.entity.js';
import type { User } from '../domain/user.entity.js';
import type { RecordEvent } from '../persistence/unit-of-work.js';
import { endAllSessions } from './end-sessions.js';
import type { MailMessages } from './mail-messages.js';
import type { Outbox } from './outbox.js';

/**
 * Setting a new password, the one way it is done (by the owner's `changePassword` or a reset
 * link): the policy with the account as context, the bcrypt hash outside any transaction, then in
 * the caller's transaction the password, every other session ended and the owner told by email.
 */
export function createNewPassword(deps: {
  hasher: PasswordHasher;
  clock: Clock;
  outbox: Outbox;
  messages: MailMessages;
  passwordMinLength: number;
}) {
  return {
    /** BAD_USER_INPUT on `newPassword` when the policy refuses it; otherwise its hash. */
    async hash(account: { username: string; email: string }, newPassword: string): Promise<string> {
      checkPassword(
        newPassword,
        { minLength: deps.passwordMinLength, context: { username: account.username, email: account.email } },
        'newPassword',
      );
      return deps.hasher.hash(newPassword);
    },

    /** `via: 'reset'` also lifts a temporary lockout (the link proved the mailbox) and ends every session. */
    async apply(
      tx: EntityManager,
      record: RecordEvent,
      user: User,
      hash: string,
      how: { via: 'change'; keepSessionId: string } | { via: 'reset' },
    ): Promise<void> {
      const now = deps.clock.now();
      if (how.via === 'reset') user.resetPassword(hash, now);
      else user.changePassword(hash, now);
      const keep = how.via === 'change' ? how.keepSessionId : undefined;
      await endAllSessions(tx, record, user.id, SessionRevocation.PASSWORD_CHANGED, now, keep);
      await deps.outbox.mail(tx, deps.messages.passwordChanged(user.email));
    },
  };
}

export type NewPassword = ReturnType<typeof createNewPassword>;
