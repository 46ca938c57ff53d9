import type { FieldEncryption } from '../../adapters/crypto/field-encryption.js';
import type { PasswordHasher } from '../../adapters/crypto/password-hasher.js';
import { createStatementRunner, type RunStatement } from '../../adapters/database/prepared-statements.js';
import type { RateLimits } from '../../adapters/rate-limits/rate-limits.js';
import type { SignedTokens } from '../../adapters/tokens/signed-tokens.js';
import type { Config } from '../../config/config.js';
import type { Clock } from '../../kernel/clock.js';
import type { DomainEvent } from '../../kernel/domain-event.js';
import type { Logger } from '../../kernel/logger.js';
import type { CodeHasher } from '../domain/one-time-codes.js';
import { createAuditTrail } from '../persistence/audit-chain.js';
import { createAuditChainer } from '../persistence/audit-chainer.js';
import { createDeviceTrustCounter } from '../persistence/device-trust-counter.js';
import { createLockoutCounter } from '../persistence/lockout-counter.js';
import {
  createOneStatementWrite,
  createUnitOfWork,
  reportingAppendNow,
} from '../persistence/unit-of-work.js';
import { createAccessTokens } from './access-tokens.js';
import { createAuthenticator } from './authenticate.js';
import { createDeviceTrust } from './device-trust.js';
import { createEmailLinks } from './email-links.js';
import { type LiveSessionCache, noSessionCache } from './live-session-cache.js';
import { createMailMessages } from './mail-messages.js';
import { createMfaChallenges } from './mfa-challenges.js';
import { createNewPassword } from './new-password.js';
import type { IdentityTasks, Outbox } from './outbox.js';
import { createPasskeyUseCases } from './passkeys.js';
import { createPasswordConfirmation } from './password-confirmation.js';
import { createRecentAuth } from './recent-auth.js';
import { createSecondFactor } from './second-factor.js';
import { reportCommitted, type SecurityObserver, unobserved } from './security-observer.js';
import { createSessionTokens } from './session-tokens.js';
import { createSignIn } from './sign-in.js';
import { createSmsCodes } from './sms-codes.js';
import { createAdministerUser } from './use-cases/administer-user.js';
import { createListAuditLog, createVerifyAuditLog } from './use-cases/audit-log.js';
import { createBeginTotpEnrollment } from './use-cases/begin-totp-enrollment.js';
import { createChangePassword } from './use-cases/change-password.js';
import { createConfirmTotpEnrollment } from './use-cases/confirm-totp-enrollment.js';
import { createDeleteAccount } from './use-cases/delete-account.js';
import { createDisableMfa } from './use-cases/disable-mfa.js';
import { createEnableSmsMfa } from './use-cases/enable-sms-mfa.js';
import { createIssueWalletChallenge } from './use-cases/issue-wallet-challenge.js';
import { createLinkWallet } from './use-cases/link-wallet.js';
import { getUser, listUsers } from './use-cases/list-users.js';
import { createLoginUser } from './use-cases/login-user.js';
import { createLoginWithWallet } from './use-cases/login-with-wallet.js';
import { createLogout } from './use-cases/logout.js';
import { createMySessions } from './use-cases/my-sessions.js';
import { createRefreshSession } from './use-cases/refresh-session.js';
import { createRegisterUser, createRegistration } from './use-cases/register-user.js';
import { createRequestEmailVerification } from './use-cases/request-email-verification.js';
import { createPasswordResetTask, createRequestPasswordReset } from './use-cases/request-password-reset.js';
import { createRequestPhoneVerification } from './use-cases/request-phone-verification.js';
import { createResetPassword } from './use-cases/reset-password.js';
import { createRevokeAllSessions } from './use-cases/revoke-all-sessions.js';
import { createRevokeSession } from './use-cases/revoke-session.js';
import { createSendMfaSmsCode } from './use-cases/send-mfa-sms-code.js';
import { createSignUp } from './use-cases/sign-up.js';
import { createUpdateProfile } from './use-cases/update-profile.js';
import { createVerifyEmail } from './use-cases/verify-email.js';
import { createVerifyMfa } from './use-cases/verify-mfa.js';
import { createWalletProof } from './wallet-proof.js';

/** What the identity context needs from outside: settings, and the adapters the composition root built. */
export interface IdentityDeps {
  settings: Pick<
    Config,
    | 'jwt'
    | 'session'
    | 'deviceTrust'
    | 'lockout'
    | 'passwordMinLength'
    | 'auditLogEnabled'
    | 'auditChain'
    | 'publicWebUrl'
    | 'requireVerifiedEmail'
  >;
  clock: Clock;
  logger: Logger;
  hasher: PasswordHasher;
  encryption: FieldEncryption;
  tokens: SignedTokens;
  limits: RateLimits;
  hashCode: CodeHasher;
  /** Mail, SMS and background tasks, written as jobs in the caller's transaction. */
  outbox: Outbox;
  /** The operators' counters of sign-ins, lockouts and refresh-token reuse; none when absent. */
  observer?: SecurityObserver;
  /** Live sessions an instance may authenticate from without a database read; none when absent. */
  liveSessions?: LiveSessionCache;
  /** How the hottest statements are sent; through the ORM, values inlined, when absent. */
  runStatement?: RunStatement;
}

/**
 * The identity context's use cases, each built once from the adapters it is given, with the
 * steps they share (sign-in, one-time codes, password confirmation). Every use case takes the
 * request context first.
 */
export function createIdentityApplication(deps: IdentityDeps) {
  const { settings, clock, logger, hasher, encryption, tokens, limits, hashCode } = deps;
  const issuer = settings.jwt.issuer;
  const accessTokens = createAccessTokens({
    tokens,
    audience: settings.jwt.audience,
    ttlSeconds: settings.jwt.accessTokenTtlSeconds,
    clock,
  });
  const sessions = createSessionTokens({ accessTokens, clock, ...settings.session });
  const observer = deps.observer ?? unobserved;
  const liveSessions = deps.liveSessions ?? noSessionCache;
  const counted = reportCommitted(observer);
  const committed = (events: readonly DomainEvent[]) => {
    counted(events);
    // Read-your-writes on this instance: the account a committed event is about leaves this
    // instance's cache now, before PostgreSQL's notification (which tells the other instances) arrives.
    for (const event of events)
      if (event.subjectId && !event.authenticationUnchanged) liveSessions.invalidate(`u:${event.subjectId}`);
  };
  const audit = reportingAppendNow(createAuditTrail({ clock, enabled: settings.auditLogEnabled }), committed);
  const inTransaction = createUnitOfWork(audit, committed);
  const inOneStatement = createOneStatementWrite(audit, committed);
  const auditChainer = createAuditChainer({
    clock,
    batchSize: settings.auditChain.batchSize,
    leaseMs: settings.auditChain.leaseMs,
  });
  const deviceTrust = createDeviceTrust({ tokens, clock, issuer, settings: settings.deviceTrust });
  const challenges = createMfaChallenges({ tokens, clock, issuer });
  const secondFactor = createSecondFactor({ encryption, hashCode, clock });
  const sendSmsCode = createSmsCodes({ clock, limits, hashCode, outbox: deps.outbox, inTransaction });
  const messages = createMailMessages(settings.publicWebUrl);
  const outbox = deps.outbox;
  const sendLink = createEmailLinks({ clock, outbox, messages });
  const runStatement = deps.runStatement ?? createStatementRunner({ named: false });
  const lockout = createLockoutCounter(settings.lockout, runStatement);
  const signIn = createSignIn({
    clock,
    runStatement,
    lockout,
    deviceTrustCounter: createDeviceTrustCounter(settings.deviceTrust),
    deviceTrust,
    challenges,
    sessions,
    limits,
    audit,
    inTransaction,
    logger,
    outbox,
    messages,
  });
  const confirmPassword = createPasswordConfirmation({ hasher, limits, signIn, audit, inTransaction, clock });
  const assertRecentAuth = createRecentAuth({ confirmPassword, clock });
  const passwordMinLength = settings.passwordMinLength;
  const newPassword = createNewPassword({ hasher, clock, outbox, messages, passwordMinLength });
  const prepareRegistration = createRegistration({ hasher, clock, limits, passwordMinLength, sendLink });
  const walletProof = createWalletProof({ clock, publicWebUrl: settings.publicWebUrl });

  return {
    authenticate: createAuthenticator({ accessTokens, clock, sessions: liveSessions }),
    /** Appends facts recorded outside a use case (operator commands). */
    inTransaction,
    /** Links staged audit entries into the chain; started by processes that work jobs. */
    auditChainer,
    /** The identity context's background tasks, run by a worker. */
    tasks: {
      'password-reset-requested': createPasswordResetTask({ clock, sendLink, inTransaction }),
    } satisfies IdentityTasks,
    useCases: {
      register: createRegisterUser({ prepare: prepareRegistration, inTransaction }),
      signUp: createSignUp({ prepare: prepareRegistration, signIn }),
      login: createLoginUser({
        hasher,
        clock,
        lockout,
        deviceTrust,
        limits,
        signIn,
        requireVerifiedEmail: settings.requireVerifiedEmail,
        sendLink,
        inTransaction,
        observer,
      }),
      verifyMfa: createVerifyMfa({ clock, challenges, secondFactor, signIn }),
      sendMfaSmsCode: createSendMfaSmsCode({ challenges, sendSmsCode }),
      refresh: createRefreshSession({
        clock,
        sessions,
        encryption,
        limits,
        inTransaction,
        inOneStatement,
        runStatement,
        idleTtlSeconds: settings.session.idleTtlSeconds,
        graceSeconds: settings.session.refreshGraceSeconds,
      }),
      logout: createLogout({ clock, inTransaction }),
      mySessions: createMySessions({ clock }),
      revokeSession: createRevokeSession({ clock, inTransaction }),
      revokeAllSessions: createRevokeAllSessions({ clock, inTransaction }),
      updateProfile: createUpdateProfile({ inTransaction, sendLink, outbox, messages }),
      changePassword: createChangePassword({ confirmPassword, newPassword, inTransaction }),
      deleteAccount: createDeleteAccount({ confirmPassword, clock, inTransaction }),
      beginTotpEnrollment: createBeginTotpEnrollment({ encryption, assertRecentAuth, inTransaction }),
      confirmTotpEnrollment: createConfirmTotpEnrollment({
        clock,
        encryption,
        hashCode,
        limits,
        assertRecentAuth,
        inTransaction,
      }),
      requestPhoneVerification: createRequestPhoneVerification({ assertRecentAuth, sendSmsCode }),
      enableSmsMfa: createEnableSmsMfa({ clock, hashCode, limits, assertRecentAuth, inTransaction }),
      disableMfa: createDisableMfa({
        confirmPassword,
        secondFactor,
        limits,
        inTransaction,
        outbox,
        messages,
      }),
      requestEmailVerification: createRequestEmailVerification({ limits, sendLink, inTransaction }),
      verifyEmail: createVerifyEmail({ clock, inTransaction, outbox, messages }),
      requestPasswordReset: createRequestPasswordReset({ limits, outbox }),
      resetPassword: createResetPassword({ clock, inTransaction, newPassword }),
      administerUser: createAdministerUser({ clock, inTransaction }),
      walletChallenge: createIssueWalletChallenge({ limits, walletProof }),
      linkWallet: createLinkWallet({
        clock,
        limits,
        walletProof,
        assertRecentAuth,
        audit,
        inTransaction,
        outbox,
        messages,
      }),
      loginWithWallet: createLoginWithWallet({
        clock,
        lockout,
        deviceTrust,
        limits,
        signIn,
        walletProof,
        requireVerifiedEmail: settings.requireVerifiedEmail,
        observer,
      }),
      getUser,
      listUsers,
      listAuditLog: createListAuditLog({ chainer: auditChainer }),
      verifyAuditLog: createVerifyAuditLog({ chainer: auditChainer }),
      ...createPasskeyUseCases({
        publicWebUrl: settings.publicWebUrl,
        clock,
        limits,
        signIn,
        challenges,
        deviceTrust,
        assertRecentAuth,
        inTransaction,
        audit,
        requireVerifiedEmail: settings.requireVerifiedEmail,
      }),
    },
  };
}

export type IdentityApplication = ReturnType<typeof createIdentityApplication>;
export type UseCases = IdentityApplication['useCases'];
