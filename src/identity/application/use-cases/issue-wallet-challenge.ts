import type { RateLimits } from '../../../adapters/rate-limits/rate-limits.js';
import type { Blockchain } from '../../domain/wallet-address.js';
import type { RequestContext } from '../request-context.js';
import type { WalletProof } from '../wallet-proof.js';

export interface WalletChallengeInput {
  blockchain: Blockchain;
  address: string;
}

/**
 * Hands out a message for a wallet to sign, for `linkWallet` or `loginWithWallet`. No sign-in
 * needed, and it says nothing about accounts: any well-formed address gets one, within the
 * client address's budget (each is a row until it expires).
 */
export function createIssueWalletChallenge(deps: { limits: RateLimits; walletProof: WalletProof }) {
  return async function issueWalletChallenge(
    ctx: RequestContext,
    input: WalletChallengeInput,
  ): Promise<{ message: string; expiresAt: Date }> {
    await deps.limits.walletChallenge(ctx.meta.ip);
    return deps.walletProof.issue(ctx.em, input);
  };
}
