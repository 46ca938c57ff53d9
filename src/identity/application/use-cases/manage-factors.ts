import { ref } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { FieldEncryption } from '../../../adapters/crypto/field-encryption.js';
import type { PasswordHasher } from '../../../adapters/crypto/password-hasher.js';
import type { RateLimits } from '../../../adapters/rate-limits/rate-limits.js';
import type { SmsSender } from '../../../adapters/sms/sms-sender.js';
import type { Clock } from '../../../kernel/clock.js';
import { badInput, invalidCredentials } from '../../../kernel/errors.js';
import { MfaMethod } from '../../domain/enums.js';
import { OneTimeCode, OneTimeCodePurpose, RecoveryCode } from '../../domain/mfa.entities.js';
import {
  type CodeHasher,
  newRecoveryCode,
  newSmsCode,
  newTotpSecret,
  RECOVERY_CODE_COUNT,
  SMS_CODE_TTL_SECONDS,
  totpStep,
  totpUri,
} from '../../domain/one-time-codes.js';
import type { Principal, RequestMeta } from '../../domain/principal.js';
import { User } from '../../domain/user.entity.js';
import type { InTransaction } from '../../persistence/unit-of-work.js';
import type { AssertRecentAuth } from '../recent-auth.js';
import { type SecondFactor, TOTP_SECRET_CONTEXT } from '../second-factor.js';

const PENDING_CONTEXT = 'users.totp_pending_secret';

/** Enrolling and removing second factors: TOTP with recovery codes, and SMS to the verified profile phone. */
export function createManageFactors(deps: {
  clock: Clock;
  hasher: PasswordHasher;
  encryption: FieldEncryption;
  hashCode: CodeHasher;
  secondFactor: SecondFactor;
  assertRecentAuth: AssertRecentAuth;
  limits: RateLimits;
  sms: SmsSender;
  inTransaction: InTransaction;
}) {
  const ctxOf = (principal: Principal, meta: RequestMeta) => ({ meta, actorId: principal.userId });

  return {
    /** A new TOTP secret for the authenticator app; nothing changes until it is confirmed with a code. */
    async beginTotp(em: EntityManager, principal: Principal, meta: RequestMeta, password?: string | null) {
      await deps.assertRecentAuth(em, principal, password);
      const secret = newTotpSecret();
      return deps.inTransaction(em, ctxOf(principal, meta), async (tx) => {
        const user = await tx.findOneOrFail(User, principal.userId);
        user.totpPendingSecret = deps.encryption.encrypt(secret, PENDING_CONTEXT);
        return { secret, otpauthUri: totpUri(secret, user.email) };
      });
    },

    /** Turns TOTP on with a code from the pending secret; returns 10 recovery codes, shown this once. */
    async confirmTotp(
      em: EntityManager,
      principal: Principal,
      meta: RequestMeta,
      code: string,
    ): Promise<string[]> {
      await deps.assertRecentAuth(em, principal);
      await deps.limits.codeAttempt(principal.userId);
      return deps.inTransaction(em, ctxOf(principal, meta), async (tx) => {
        const user = await tx.findOneOrFail(User, principal.userId, { populate: ['totpPendingSecret'] });
        if (!user.totpPendingSecret) throw badInput('code', 'Start with beginTotpEnrollment');
        const secret = deps.encryption.decrypt(user.totpPendingSecret, PENDING_CONTEXT);
        const step = totpStep(secret, code.trim(), deps.clock.now());
        if (step === undefined) throw invalidCredentials();
        user.enableMfa(MfaMethod.TOTP, deps.encryption.encrypt(secret, TOTP_SECRET_CONTEXT));
        user.totpLastStep = String(step);
        await tx.nativeDelete(RecoveryCode, { user: user.id });
        const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
        for (const c of codes) tx.persist(new RecoveryCode(ref(user), deps.hashCode('recovery', c)));
        return codes;
      });
    },

    /** Sends a code to the profile phone, to prove it before SMS sign-in codes go there. */
    async requestPhoneVerification(
      em: EntityManager,
      principal: Principal,
      meta: RequestMeta,
      password?: string | null,
    ) {
      await deps.assertRecentAuth(em, principal, password);
      const user = await em.findOneOrFail(User, principal.userId);
      if (!user.phone) throw badInput('phone', 'Add a phone number to your profile first');
      await deps.limits.sms(user.phone);
      const code = newSmsCode();
      await deps.inTransaction(em, ctxOf(principal, meta), async (tx) => {
        const now = deps.clock.now();
        await tx.nativeUpdate(
          OneTimeCode,
          { user: user.id, purpose: OneTimeCodePurpose.PHONE_VERIFICATION, usedAt: null },
          { usedAt: now },
        );
        tx.persist(
          new OneTimeCode({
            user: ref(user),
            purpose: OneTimeCodePurpose.PHONE_VERIFICATION,
            codeHash: deps.hashCode('sms', code),
            expiresAt: new Date(now.getTime() + SMS_CODE_TTL_SECONDS * 1000),
            now,
          }),
        );
      });
      await deps.sms.send(user.phone, `Your elcorp verification code is ${code}. It expires in 5 minutes.`);
      return true;
    },

    /** Turns SMS sign-in codes on with the code sent by requestPhoneVerification. */
    async enableSms(
      em: EntityManager,
      principal: Principal,
      meta: RequestMeta,
      code: string,
    ): Promise<boolean> {
      await deps.assertRecentAuth(em, principal);
      await deps.limits.codeAttempt(principal.userId);
      return deps.inTransaction(em, ctxOf(principal, meta), async (tx) => {
        const now = deps.clock.now();
        const user = await tx.findOneOrFail(User, principal.userId);
        if (!user.phone) throw badInput('phone', 'Add a phone number to your profile first');
        const used = await tx.nativeUpdate(
          OneTimeCode,
          {
            user: user.id,
            purpose: OneTimeCodePurpose.PHONE_VERIFICATION,
            codeHash: deps.hashCode('sms', code.trim()),
            usedAt: null,
            expiresAt: { $gt: now },
          },
          { usedAt: now },
        );
        if (used !== 1) throw invalidCredentials();
        user.phoneVerifiedAt = now;
        user.enableMfa(MfaMethod.SMS);
        return true;
      });
    },

    /** Turns every second factor off; needs the password and a current code (TOTP, SMS login code or recovery code). */
    async disable(
      em: EntityManager,
      principal: Principal,
      meta: RequestMeta,
      password: string,
      code: string,
    ) {
      const current = await em.findOneOrFail(User, principal.userId, {
        populate: ['passwordHash', 'mfaSecret'],
      });
      if (!(await deps.hasher.verify(password, current.passwordHash))) throw invalidCredentials();
      if (!current.mfaEnabled) return true;
      await deps.limits.codeAttempt(principal.userId);
      return deps.inTransaction(em, ctxOf(principal, meta), async (tx) => {
        // Every secret column loaded, so that clearing one writes NULL (the request's user may
        // have come from authentication, which leaves them unloaded).
        const user = await tx.findOneOrFail(User, principal.userId, {
          populate: ['mfaSecret', 'totpPendingSecret'],
        });
        const factor = await deps.secondFactor.check(tx, user, code, {});
        if (!factor) throw invalidCredentials();
        user.disableMfa();
        await tx.nativeDelete(RecoveryCode, { user: user.id });
        return true;
      });
    },
  };
}

export type ManageFactors = ReturnType<typeof createManageFactors>;
