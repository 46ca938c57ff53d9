import { randomUUID } from 'node:crypto';
import type { PasswordHasher } from '../../../adapters/crypto/password-hasher.js';
import type { RateLimits } from '../../../adapters/rate-limits/rate-limits.js';
import type { Clock } from '../../../kernel/clock.js';
import type { DomainEvent } from '../../../kernel/domain-event.js';
import { DomainError, ErrorCode, forbidden } from '../../../kernel/errors.js';
import { parseDeviceId, parseDeviceName } from '../../domain/device.js';
import type { DeviceTrust } from '../../domain/device-trust.entity.js';
import { EmailTokenPurpose } from '../../domain/email-token.entity.js';
import { User } from '../../domain/user.entity.js';
import type { LockoutCounter } from '../../persistence/lockout-counter.js';
import type { InTransaction } from '../../persistence/unit-of-work.js';
import { findUserByIdentifier } from '../../persistence/user-lookup.js';
import type { DeviceTrustService } from '../device-trust.js';
import type { SendLink } from '../email-links.js';
import type { RequestContext } from '../request-context.js';
import type { SecurityObserver } from '../security-observer.js';
import type { AttemptBudget, MfaChallengeOutcome, SignIn, SignInOutcome, SignInTry } from '../sign-in.js';

export interface LoginUserInput {
  identifier: string;
  password: string;
  deviceId: string;
  deviceName?: string | null;
  deviceTrustToken?: string | null;
}

/**
 * Signing in with a password. Unknown users, wrong passwords, locked-out and disabled accounts
 * all fail the same way, after the same bcrypt work. A device that proves earlier trust is
 * judged by its own failure budget instead of the account's lockout.
 */
export function createLoginUser(deps: {
  hasher: PasswordHasher;
  clock: Clock;
  lockout: LockoutCounter;
  deviceTrust: DeviceTrustService;
  limits: RateLimits;
  signIn: SignIn;
  /** Sign-in needs a verified address (REQUIRE_VERIFIED_EMAIL). */
  requireVerifiedEmail: boolean;
  sendLink: SendLink;
  inTransaction: InTransaction;
  observer: SecurityObserver;
}) {
  /** A sign-in refused by a budget (per address and identifier, or the address's daily failures). */
  const countRateLimited = (err: unknown): never => {
    if (err instanceof DomainError && err.code === ErrorCode.RATE_LIMITED)
      deps.observer.signIn('rate_limited');
    throw err;
  };

  return (ctx: RequestContext, input: LoginUserInput): Promise<SignInOutcome | MfaChallengeOutcome> =>
    login(ctx, input).catch(countRateLimited);

  async function login(
    ctx: RequestContext,
    input: LoginUserInput,
  ): Promise<SignInOutcome | MfaChallengeOutcome> {
    const { em, meta } = ctx;
    const device = { id: parseDeviceId(input.deviceId), name: parseDeviceName(input.deviceName) };
    await deps.limits.loginAttempt(meta.ip, input.identifier);
    const fail = (reason: string, userId?: string, extra: DomainEvent[] = []) =>
      deps.signIn.fail(
        ctx,
        [{ type: 'login.failed', subjectId: userId, data: { reason, deviceId: device.id } }, ...extra],
        { chargeAddress: true },
      );

    /**
     * The right password on an address never proved: said only to someone who knows the password,
     * so it reveals nothing to anyone else; a new link goes out (within the account's budget).
     */
    const unverified = async (context: RequestContext, user: User): Promise<never> => {
      await deps.signIn
        .fail(context, [
          {
            type: 'login.failed',
            subjectId: user.id,
            data: { reason: 'email_unverified', deviceId: device.id },
          },
        ])
        .catch(() => undefined);
      const sent = await deps.limits.emailLink(user.id).then(
        () => true,
        () => false,
      );
      if (sent)
        await deps.inTransaction(context.em, { meta: context.meta, actorId: user.id }, async (tx) =>
          deps.sendLink(
            tx,
            await tx.findOneOrFail(User, user.id),
            EmailTokenPurpose.VERIFY_EMAIL,
            user.email,
          ),
        );
      throw forbidden('Confirm your email address to sign in: follow the link sent to it');
    };

    const unknown = async (): Promise<never> => {
      // A comparison at the same cost: an unknown identifier takes as long.
      await deps.hasher.verifyDummy(input.password);
      return fail('unknown_user');
    };
    // A device that proves earlier trust spends its own budget, else the account's.
    const budgetOf = (proved?: DeviceTrust): AttemptBudget =>
      proved ? { kind: 'device', trust: proved } : { kind: 'account' };
    let found: User | null;
    let trust: DeviceTrust | undefined;
    let reserved: SignInTry | undefined;
    if (!input.deviceTrustToken) {
      // The usual sign-in, from a device with no trust to prove: the account is found and a try
      // of its budget taken in one statement, which takes as long when no account matches.
      await deps.limits.addressFailureCap(meta.ip);
      const taken = await deps.lockout.findAndReserveTryNow(em, input.identifier, deps.clock.now());
      if (!taken) return unknown();
      found = taken.user;
      reserved = taken.reserved && deps.signIn.heldTry(em, found.id, taken.reserved);
    } else {
      found = await findUserByIdentifier(em, input.identifier, { withPasswordHash: true });
      if (!found) {
        await deps.limits.addressFailureCap(meta.ip);
        // The round trip a known account's attempt spends reserving its try (matching no row here).
        await deps.lockout.reserveTryNow(em, randomUUID(), deps.clock.now());
        return unknown();
      }
      trust = await deps.deviceTrust.find(em, input.deviceTrustToken, found.id, device.id);
      // A device that proves earlier trust is not refused by a cap that strangers at its address filled.
      if (!trust) await deps.limits.addressFailureCap(meta.ip);
      reserved = await deps.signIn.reserveTry(em, found.id, budgetOf(trust));
    }
    const budget = budgetOf(trust);
    if (!reserved) {
      await deps.hasher.verifyDummy(input.password);
      return fail(trust ? 'trusted_device_exhausted' : 'locked_out', found.id);
    }
    const attempt = reserved;
    const account = found;
    return deps.signIn.settleAfter(attempt, async () => {
      // bcrypt runs outside any transaction: no connection is held while hashing.
      if (!(await deps.hasher.verify(input.password, account.passwordHash)))
        return fail('bad_password', account.id, await attempt.wrongSecret());
      if (!account.canAuthenticate) {
        // The password was right: not a guess, so the try goes back.
        await attempt.release();
        return fail(`account_${account.status.toLowerCase()}`, account.id);
      }
      if (deps.requireVerifiedEmail && !account.emailVerified) {
        await attempt.release();
        return unverified(ctx, account);
      }
      return deps.signIn.firstFactorPassed(ctx, account, {
        device,
        budget,
        factor: 'password',
        try: attempt,
      });
    });
  }
}
