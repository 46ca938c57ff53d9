import type { Clock } from '../../../kernel/clock.js';
import type { DomainEvent } from '../../../kernel/domain-event.js';
import { badInput } from '../../../kernel/errors.js';
import { parseDeviceId } from '../../domain/device.js';
import { MfaMethod } from '../../domain/enums.js';
import { Passkey } from '../../domain/passkey.entity.js';
import { PasskeyCeremony } from '../../domain/passkey-challenge.entity.js';
import { User } from '../../domain/user.entity.js';
import { takePasskeyChallengeNow } from '../../persistence/passkey-challenges.js';
import type { MfaChallenges } from '../mfa-challenges.js';
import { CounterMoved, type PasskeyAssertion, readAssertion } from '../passkey-assertion.js';
import type { RequestContext } from '../request-context.js';
import type { AttemptBudget, SignIn, SignInOutcome } from '../sign-in.js';

/**
 * The second step of a password sign-in answered with a passkey of the account (MfaChallenge
 * methods list PASSKEY). As with a code, each answer takes one of the challenge's five tries and,
 * unless the device was trusted at the first step, one of the account's lockout tries; the
 * assertion must answer a challenge issued for this MFA challenge (beginPasskeyLogin with its
 * token), from the device the MFA challenge is for.
 */
export function createVerifyMfaWithPasskey(deps: {
  clock: Clock;
  challenges: MfaChallenges;
  assertion: PasskeyAssertion;
  signIn: SignIn;
}) {
  return async function verifyMfaWithPasskey(
    ctx: RequestContext,
    input: { challengeToken: string; response: unknown; deviceId: string },
  ): Promise<SignInOutcome> {
    const { em } = ctx;
    const deviceId = parseDeviceId(input.deviceId);
    const assertion = readAssertion(input.response);
    const record = await deps.challenges.open(em, input.challengeToken);
    if (record.deviceId !== deviceId)
      throw badInput('deviceId', 'This MFA challenge was issued to another device');
    const userId = record.user.id;
    const fail = (reason: string, extra: DomainEvent[] = []) =>
      deps.signIn.fail(ctx, [
        { type: 'mfa.failed', subjectId: userId, data: { reason, factor: MfaMethod.PASSKEY } },
        ...extra,
      ]);
    const taken = await takePasskeyChallengeNow(em, {
      value: assertion.challenge,
      ceremony: PasskeyCeremony.SECOND_FACTOR,
      userId,
      mfaChallengeId: record.id,
      now: deps.clock.now(),
    });
    // Every answer spends one of the MFA challenge's tries, a replayed one included.
    if (!(await deps.challenges.reserveTryNow(em, record))) return fail('challenge_exhausted');
    const budget: AttemptBudget = record.viaTrustedDevice ? { kind: 'none' } : { kind: 'account' };
    const attempt = await deps.signIn.reserveTry(em, userId, budget);
    if (!attempt) return fail('locked_out');

    return deps.signIn.settleAfter(attempt, async () => {
      if (!taken) return fail('passkey_challenge_unknown', await attempt.wrongSecret());
      const passkey = await em.findOne(Passkey, { credentialId: assertion.response.id, user: userId });
      if (!passkey) return fail('passkey_unknown', await attempt.wrongSecret());
      const verified = await deps.assertion.verify(passkey, assertion, attempt, fail);
      const user = await em.findOneOrFail(User, userId, { refresh: true });
      if (!user.canAuthenticate) {
        await attempt.release();
        return fail(`account_${user.status.toLowerCase()}`);
      }
      const now = deps.clock.now();
      return deps.signIn
        .complete(ctx, userId, {
          device: { id: record.deviceId, name: record.deviceName },
          via: record.viaTrustedDevice ? 'trusted_device' : 'mfa',
          events: [
            { type: 'mfa.passed', subjectId: userId, data: { factor: MfaMethod.PASSKEY } },
            {
              type: 'passkey.used',
              subjectId: userId,
              data: { passkeyId: passkey.id, purpose: 'second_factor' },
            },
          ],
          within: async (tx) => {
            await deps.challenges.consume(tx, record);
            await deps.assertion.recordUse(tx, passkey, verified, now);
          },
          try: attempt,
        })
        .catch((err: unknown) =>
          err instanceof CounterMoved ? fail('passkey_counter_raced') : Promise.reject(err),
        );
    });
  };
}
