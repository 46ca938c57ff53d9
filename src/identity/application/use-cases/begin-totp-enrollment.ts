import type { FieldEncryption } from '../../../adapters/crypto/field-encryption.js';
import { newTotpSecret, TOTP_PENDING_SECRET_CONTEXT, totpUri } from '../../domain/one-time-codes.js';
import { User } from '../../domain/user.entity.js';
import type { InTransaction } from '../../persistence/unit-of-work.js';
import type { AssertRecentAuth } from '../recent-auth.js';
import type { RequestContext } from '../request-context.js';

/** A new TOTP secret for the authenticator app; nothing changes until it is confirmed with a code. */
export function createBeginTotpEnrollment(deps: {
  encryption: FieldEncryption;
  assertRecentAuth: AssertRecentAuth;
  inTransaction: InTransaction;
}) {
  return async function beginTotpEnrollment(ctx: RequestContext, password?: string | null) {
    await deps.assertRecentAuth(ctx, password);
    const { userId } = await ctx.principal();
    const secret = newTotpSecret();
    return deps.inTransaction(ctx.em, { meta: ctx.meta, actorId: userId }, async (tx) => {
      const user = await tx.findOneOrFail(User, userId);
      user.totpPendingSecret = deps.encryption.encrypt(secret, TOTP_PENDING_SECRET_CONTEXT);
      return { secret, otpauthUri: totpUri(secret, user.email) };
    });
  };
}
