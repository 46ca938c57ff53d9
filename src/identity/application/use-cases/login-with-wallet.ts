import { randomUUID } from 'node:crypto';
import type { RateLimits } from '../../../adapters/rate-limits/rate-limits.js';
import type { Clock } from '../../../kernel/clock.js';
import type { DomainEvent } from '../../../kernel/domain-event.js';
import { DomainError, ErrorCode, forbidden } from '../../../kernel/errors.js';
import { parseDeviceId, parseDeviceName } from '../../domain/device.js';
import { User } from '../../domain/user.entity.js';
import type { LockoutCounter } from '../../persistence/lockout-counter.js';
import type { DeviceTrustService } from '../device-trust.js';
import type { RequestContext } from '../request-context.js';
import type { SecurityObserver } from '../security-observer.js';
import type { AttemptBudget, MfaChallengeOutcome, SignIn, SignInOutcome } from '../sign-in.js';
import type { SignedWalletMessage, WalletProof } from '../wallet-proof.js';

export interface WalletLoginInput {
  message: string;
  signature: string;
  deviceId: string;
  deviceName?: string | null;
  deviceTrustToken?: string | null;
}

/**
 * Signing in with a wallet: the message must be a challenge issued here, for this site, unexpired
 * and unspent (else BAD_USER_INPUT on `message`), and its signature that of the address's key.
 * The account is the one whose proved wallet it is; from there on it is the password sign-in:
 * the same budgets, lockout, device trust, second factor and completion. An unknown wallet, a
 * wrong signature, a locked or disabled account all fail alike, INVALID_CREDENTIALS after the
 * same work.
 */
export function createLoginWithWallet(deps: {
  clock: Clock;
  lockout: LockoutCounter;
  deviceTrust: DeviceTrustService;
  limits: RateLimits;
  signIn: SignIn;
  walletProof: WalletProof;
  requireVerifiedEmail: boolean;
  observer: SecurityObserver;
}) {
  return (ctx: RequestContext, input: WalletLoginInput): Promise<SignInOutcome | MfaChallengeOutcome> =>
    login(ctx, input).catch((err: unknown) => {
      if (err instanceof DomainError && err.code === ErrorCode.RATE_LIMITED)
        deps.observer.signIn('rate_limited');
      throw err;
    });

  async function login(ctx: RequestContext, input: WalletLoginInput) {
    const { em, meta } = ctx;
    const device = { id: parseDeviceId(input.deviceId), name: parseDeviceName(input.deviceName) };
    const sent = deps.walletProof.read(input);
    const { address, blockchain } = sent.fields;
    await deps.limits.loginAttempt(meta.ip, `${blockchain}:${address}`);
    const event = (reason: string, userId?: string): DomainEvent => ({
      type: 'login.failed',
      subjectId: userId,
      data: { reason, method: 'wallet', blockchain, deviceId: device.id },
    });
    const fail = (reason: string, userId?: string, extra: DomainEvent[] = []) =>
      deps.signIn.fail(ctx, [event(reason, userId), ...extra], { chargeAddress: true });

    const refusal = await deps.walletProof.redeem(em, sent);
    if (refusal) {
      // Audited and counted against the client address like any failed sign-in, answered with why.
      await fail(refusal.refused).catch(() => undefined);
      throw refusal.error;
    }

    const found = await findByProvedWallet(ctx, sent);
    if (!found) {
      await deps.limits.addressFailureCap(meta.ip);
      // The round trip and the signature check a known account's attempt spends: an unknown
      // wallet takes as long.
      await deps.lockout.reserveTryNow(em, randomUUID(), deps.clock.now());
      await deps.walletProof.verify(sent);
      return fail('unknown_wallet');
    }
    const trust = await deps.deviceTrust.find(em, input.deviceTrustToken, found.id, device.id);
    if (!trust) await deps.limits.addressFailureCap(meta.ip);
    const budget: AttemptBudget = trust ? { kind: 'device', trust } : { kind: 'account' };
    const reserved = await deps.signIn.reserveTry(em, found.id, budget);
    if (!reserved) {
      await deps.walletProof.verify(sent);
      return fail(trust ? 'trusted_device_exhausted' : 'locked_out', found.id);
    }
    return deps.signIn.settleAfter(reserved, async () => {
      if (!(await deps.walletProof.verify(sent)))
        return fail('bad_signature', found.id, await reserved.wrongSecret());
      if (!found.canAuthenticate) {
        // The signature was right: not a guess, so the try goes back.
        await reserved.release();
        return fail(`account_${found.status.toLowerCase()}`, found.id);
      }
      if (deps.requireVerifiedEmail && !found.emailVerified) {
        await reserved.release();
        await deps.signIn.fail(ctx, [event('email_unverified', found.id)]).catch(() => undefined);
        throw forbidden('Confirm your email address to sign in: follow the link sent to it');
      }
      return deps.signIn.firstFactorPassed(ctx, found, { device, budget, factor: 'wallet', try: reserved });
    });
  }
}

/** The account whose wallet this is and was proved by a signature (`linkWallet`). */
function findByProvedWallet(ctx: RequestContext, sent: SignedWalletMessage): Promise<User | null> {
  return ctx.em.findOne(User, {
    walletAddress: sent.fields.address,
    walletBlockchain: sent.fields.blockchain,
    walletVerifiedAt: { $ne: null },
  });
}
