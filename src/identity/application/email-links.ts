import { ref } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../../kernel/clock.js';
import {
  EmailToken,
  EmailTokenPurpose,
  hashEmailToken,
  newEmailToken,
} from '../domain/email-token.entity.js';
import type { User } from '../domain/user.entity.js';
import { retireEmailTokens } from '../persistence/email-token-store.js';
import type { MailMessages } from './mail-messages.js';
import type { Outbox } from './outbox.js';

/**
 * Sending a link by email, the one way it is done: a new token replaces the account's unused ones
 * of the same purpose, only its digest is stored, and the message is written as a job in the
 * caller's transaction.
 */
export function createEmailLinks(deps: { clock: Clock; outbox: Outbox; messages: MailMessages }) {
  const render = {
    [EmailTokenPurpose.VERIFY_EMAIL]: deps.messages.verifyEmail,
    [EmailTokenPurpose.CHANGE_EMAIL]: deps.messages.confirmNewEmail,
    [EmailTokenPurpose.RESET_PASSWORD]: deps.messages.resetPassword,
  };
  return async function sendLink(tx: EntityManager, user: User, purpose: EmailTokenPurpose, to: string) {
    const now = deps.clock.now();
    await retireEmailTokens(tx, user.id, [purpose], now);
    const token = newEmailToken();
    tx.persist(
      new EmailToken({ user: ref(user), purpose, tokenHash: hashEmailToken(token), email: to, now }),
    );
    await deps.outbox.mail(tx, render[purpose](to, token));
  };
}

export type SendLink = ReturnType<typeof createEmailLinks>;
