import { badInput } from '../../../kernel/errors.js';
import { OneTimeCodePurpose } from '../../domain/mfa.entities.js';
import { User } from '../../domain/user.entity.js';
import type { AssertRecentAuth } from '../recent-auth.js';
import type { RequestContext } from '../request-context.js';
import type { SendSmsCode } from '../sms-codes.js';

/** Sends a code to the profile phone, to prove it before SMS sign-in codes go there. */
export function createRequestPhoneVerification(deps: {
  assertRecentAuth: AssertRecentAuth;
  sendSmsCode: SendSmsCode;
}) {
  return async function requestPhoneVerification(ctx: RequestContext, password?: string | null) {
    await deps.assertRecentAuth(ctx, password);
    const { userId } = await ctx.principal();
    const user = await ctx.em.findOneOrFail(User, userId);
    if (!user.phone) throw badInput('phone', 'Add a phone number to your profile first');
    await deps.sendSmsCode(ctx, {
      user,
      phone: user.phone,
      purpose: OneTimeCodePurpose.PHONE_VERIFICATION,
      actorId: userId,
    });
    return true;
  };
}
