import type { Clock } from '../../../kernel/clock.js';
import type { DomainEvent } from '../../../kernel/domain-event.js';
import type { MfaMethod } from '../../domain/enums.js';
import { User } from '../../domain/user.entity.js';
import type { MfaChallenges } from '../mfa-challenges.js';
import type { RequestContext } from '../request-context.js';
import type { SecondFactor } from '../second-factor.js';
import type { AttemptBudget, SignIn, SignInOutcome } from '../sign-in.js';

export interface VerifyMfaInput {
  challengeToken: string;
  code: string;
  method?: MfaMethod | null;
}

/**
 * The second step of signing in. Each code takes one of the challenge's five tries and, unless
 * the device was trusted at the first step, one of the account's lockout tries; only a right
 * code opens the session.
 */
export function createVerifyMfa(deps: {
  clock: Clock;
  challenges: MfaChallenges;
  secondFactor: SecondFactor;
  signIn: SignIn;
}) {
  return async function verifyMfa(ctx: RequestContext, input: VerifyMfaInput): Promise<SignInOutcome> {
    const { em } = ctx;
    const challenge = await deps.challenges.open(em, input.challengeToken);
    const userId = challenge.user.id;
    const fail = (reason: string, extra: DomainEvent[] = []) =>
      deps.signIn.fail(ctx, [{ type: 'mfa.failed', subjectId: userId, data: { reason } }, ...extra]);
    if (!(await deps.challenges.reserveTryNow(em, challenge))) return fail('challenge_exhausted');
    const budget: AttemptBudget = challenge.viaTrustedDevice ? { kind: 'none' } : { kind: 'account' };
    const reserved = await deps.signIn.reserveTry(em, userId, budget);
    if (!reserved) return fail('locked_out');

    return deps.signIn.settleAfter(reserved, async () => {
      const user = await em.findOneOrFail(User, userId, { populate: ['mfaSecret'], refresh: true });
      if (!user.canAuthenticate) {
        await reserved.release();
        return fail(`account_${user.status.toLowerCase()}`);
      }
      const factor = await deps.secondFactor.check(em, user, input.code, {
        method: input.method,
        challengeId: challenge.id,
      });
      if (!factor) return fail('bad_code', await reserved.wrongSecret());

      return deps.signIn.complete(ctx, userId, {
        device: { id: challenge.deviceId, name: challenge.deviceName },
        via: challenge.viaTrustedDevice ? 'trusted_device' : 'mfa',
        events: [{ type: 'mfa.passed', subjectId: userId, data: { factor } }],
        // First in the transaction: of two right answers completing at once, one gets through and
        // the other is refused as a used challenge, before either writes a session.
        within: (tx) => deps.challenges.consume(tx, challenge),
        try: reserved,
      });
    });
  };
}
