import type { RateLimits } from '../../adapters/rate-limits/rate-limits.js';
import { createWebAuthn } from '../../adapters/webauthn/webauthn.js';
import type { Clock } from '../../kernel/clock.js';
import type { AuditTrail } from '../persistence/audit-chain.js';
import type { InTransaction } from '../persistence/unit-of-work.js';
import type { DeviceTrustService } from './device-trust.js';
import type { MfaChallenges } from './mfa-challenges.js';
import { createPasskeyAssertion } from './passkey-assertion.js';
import type { AssertRecentAuth } from './recent-auth.js';
import type { SignIn } from './sign-in.js';
import { createBeginPasskeyLogin, createFinishPasskeyLogin } from './use-cases/passkey-login.js';
import {
  createListPasskeys,
  createRemovePasskey,
  createRenamePasskey,
} from './use-cases/passkey-management.js';
import {
  createBeginPasskeyRegistration,
  createFinishPasskeyRegistration,
} from './use-cases/passkey-registration.js';
import { createVerifyMfaWithPasskey } from './use-cases/verify-mfa-with-passkey.js';

/** The relying party's name, shown by browsers and authenticators next to the passkey. */
const RP_NAME = 'elcorp';

/**
 * Passkeys (WebAuthn): adding one to a signed-in account, signing in with one (no username asked),
 * answering an MFA challenge with one, and listing, renaming and removing them. The relying party
 * is PUBLIC_WEB_URL: its host name is the RP id, its origin the one origin accepted.
 */
export function createPasskeyUseCases(deps: {
  publicWebUrl: string;
  clock: Clock;
  limits: RateLimits;
  signIn: SignIn;
  challenges: MfaChallenges;
  deviceTrust: DeviceTrustService;
  assertRecentAuth: AssertRecentAuth;
  inTransaction: InTransaction;
  audit: AuditTrail;
  /** Sign-in needs a verified address (REQUIRE_VERIFIED_EMAIL). */
  requireVerifiedEmail: boolean;
}) {
  const webauthn = createWebAuthn({ publicWebUrl: deps.publicWebUrl, rpName: RP_NAME });
  const shared = { ...deps, webauthn, assertion: createPasskeyAssertion({ webauthn }) };
  return {
    beginPasskeyRegistration: createBeginPasskeyRegistration(shared),
    finishPasskeyRegistration: createFinishPasskeyRegistration(shared),
    beginPasskeyLogin: createBeginPasskeyLogin(shared),
    finishPasskeyLogin: createFinishPasskeyLogin(shared),
    verifyMfaWithPasskey: createVerifyMfaWithPasskey(shared),
    myPasskeys: createListPasskeys(),
    renamePasskey: createRenamePasskey(shared),
    removePasskey: createRemovePasskey(shared),
  };
}
