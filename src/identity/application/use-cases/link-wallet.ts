import { LockMode, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { RateLimits } from '../../../adapters/rate-limits/rate-limits.js';
import type { Clock } from '../../../kernel/clock.js';
import { conflict, invalidCredentials } from '../../../kernel/errors.js';
import { User } from '../../domain/user.entity.js';
import type { AuditTrail } from '../../persistence/audit-chain.js';
import type { InTransaction } from '../../persistence/unit-of-work.js';
import type { MailMessages } from '../mail-messages.js';
import type { Outbox } from '../outbox.js';
import type { AssertRecentAuth } from '../recent-auth.js';
import type { RequestContext } from '../request-context.js';
import type { WalletProof } from '../wallet-proof.js';

export interface LinkWalletInput {
  message: string;
  signature: string;
  /** Needed unless this session signed in within the last five minutes. */
  password?: string | null;
}

/**
 * Sets the profile wallet to the one that signed a challenge: the signed-in owner (recently, or
 * with the password) proves control of the address. Another account that only typed the address
 * into its profile loses it (`wallet.claim_removed` on that account, and a mail to its owner);
 * one that proved it keeps it, and this link is CONFLICT. Each try takes one of the account's
 * code attempts; a refused one is audited as `wallet.link_failed`.
 */
export function createLinkWallet(deps: {
  clock: Clock;
  limits: RateLimits;
  walletProof: WalletProof;
  assertRecentAuth: AssertRecentAuth;
  audit: AuditTrail;
  inTransaction: InTransaction;
  outbox: Outbox;
  messages: MailMessages;
}) {
  return async function linkWallet(ctx: RequestContext, input: LinkWalletInput): Promise<User> {
    await deps.assertRecentAuth(ctx, input.password);
    const { userId } = await ctx.principal();
    const sent = deps.walletProof.read(input);
    await deps.limits.codeAttempt(userId);
    const who = { meta: ctx.meta, actorId: userId };
    const failed = (reason: string) =>
      deps.audit.appendNow(
        ctx.em,
        [
          {
            type: 'wallet.link_failed',
            subjectId: userId,
            data: { reason, blockchain: sent.fields.blockchain },
          },
        ],
        who,
      );
    const refusal = await deps.walletProof.redeem(ctx.em, sent);
    if (refusal) {
      await failed(refusal.refused);
      throw refusal.error;
    }
    if (!(await deps.walletProof.verify(sent))) {
      await failed('bad_signature');
      throw invalidCredentials();
    }
    const { address, blockchain } = sent.fields;
    const taken = conflict('message', 'This wallet is already linked to another account');
    try {
      return await deps.inTransaction(ctx.em, who, async (tx) => {
        const user = await tx.findOneOrFail(User, userId);
        // Said only to whoever just proved control of the wallet. The other holders' rows are
        // locked and read as committed now, so a claim is never removed after it was proved.
        const holders = await tx.find(
          User,
          { walletAddress: address, walletBlockchain: blockchain, id: { $ne: userId } },
          { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true },
        );
        if (holders.some((holder) => holder.walletVerifiedAt)) throw taken;
        // An address typed into another profile without proof does not keep its owner out.
        for (const holder of holders) {
          holder.removeWalletClaim();
          await deps.outbox.mail(tx, deps.messages.walletClaimRemoved(holder.email, blockchain));
        }
        // The claims go first, so that the unique index sees the wallet free.
        if (holders.length > 0) await tx.flush();
        user.linkWallet(address, blockchain, deps.clock.now());
        // A link racing this one to the same wallet is stopped by the unique index.
        await tx.flush();
        return user;
      });
    } catch (err) {
      const refused = err === taken || isWalletTaken(err);
      if (refused) await failed('wallet_taken');
      throw refused ? taken : err;
    }
  };
}

const isWalletTaken = (err: unknown) =>
  err instanceof UniqueConstraintViolationException &&
  (err as { constraint?: string }).constraint === 'users_wallet_unique';
