import { badInput } from '../../../kernel/errors.js';
import { OneTimeCodePurpose } from '../../domain/mfa.entities.js';
import { User } from '../../domain/user.entity.js';
import type { MfaChallenges } from '../mfa-challenges.js';
import type { RequestContext } from '../request-context.js';
import type { SendSmsCode } from '../sms-codes.js';

/** Sends a sign-in code for an MFA challenge to the account's profile phone. */
export function createSendMfaSmsCode(deps: { challenges: MfaChallenges; sendSmsCode: SendSmsCode }) {
  return async function sendMfaSmsCode(ctx: RequestContext, challengeToken: string): Promise<boolean> {
    const challenge = await deps.challenges.open(ctx.em, challengeToken);
    const user = await ctx.em.findOneOrFail(User, challenge.user.id);
    if (!user.smsMfaEnabled || !user.phone)
      throw badInput('challengeToken', 'SMS codes are not enabled for this account');
    await deps.sendSmsCode(ctx, {
      user,
      phone: user.phone,
      purpose: OneTimeCodePurpose.LOGIN,
      challengeId: challenge.id,
      event: { type: 'mfa.sms_sent', subjectId: user.id, data: {} },
    });
    return true;
  };
}
