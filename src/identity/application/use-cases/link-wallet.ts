import type { RateLimits } from '../../../adapters/rate-limits/rate-limits.js';
import type { Clock } from '../../../kernel/clock.js';
import { conflict, invalidCredentials } from '../../../kernel/errors.js';
import { User } from '../../domain/user.entity.js';
import type { AuditTrail } from '../../persistence/audit-chain.js';
import type { InTransaction } from '../../persistence/unit-of-work.js';
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
 * with the password) proves control of the address, which no other account may have. Each try
 * takes one of the account's code attempts; a refused one is audited as `wallet.link_failed`.
 */
export function createLinkWallet(deps: {
  clock: Clock;
  limits: RateLimits;
  walletProof: WalletProof;
  assertRecentAuth: AssertRecentAuth;
  audit: AuditTrail;
  inTransaction: InTransaction;
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
        // Said only to whoever just proved control of the wallet. A link racing this one to the
        // same wallet is stopped by the unique index (CONFLICT at the edge).
        const others = { walletAddress: address, walletBlockchain: blockchain, id: { $ne: userId } };
        if ((await tx.count(User, others)) > 0) throw taken;
        user.linkWallet(address, blockchain, deps.clock.now());
        return user;
      });
    } catch (err) {
      if (err === taken) await failed('wallet_taken');
      throw err;
    }
  };
}
