import { randomUUID } from 'node:crypto';
import { Entity, Enum, Index, type Opt, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { type DomainEvent, EventLog } from '../../kernel/domain-event.js';
import { forbidden } from '../../kernel/errors.js';
import { Blockchain, MfaMethod, Role, UserStatus } from './enums.js';
import { usernameSkeleton } from './username-skeleton.js';

/** How a sign-in was completed; a trusted device leaves a lockout caused elsewhere in force. */
export type SignInVia = 'password' | 'wallet' | 'trusted_device' | 'mfa' | 'passkey';

/** The identity aggregate: one person's account. */
@Entity({ tableName: 'users' })
@Unique({
  name: 'users_username_lower_unique',
  expression: 'create unique index "users_username_lower_unique" on "users" (lower("username"))',
})
@Unique({ name: 'users_wallet_unique', properties: ['walletBlockchain', 'walletAddress'] })
export class User {
  @PrimaryKey({ type: 'uuid' })
  id: string & Opt = randomUUID();

  @Property({ length: 64 })
  username: string;

  /** The username's confusable skeleton (username-skeleton.ts), set with it; unique, so lookalikes cannot coexist. */
  @Property({ type: 'text', unique: 'users_username_skeleton_unique' })
  usernameSkeleton: string;

  @Property({ length: 254, unique: 'users_email_unique' })
  email: string;

  /** Whether the owner proved the address by following a link sent to it. */
  @Property({ type: 'boolean', default: false })
  emailVerified: boolean & Opt = false;

  /** An address the owner asked to change to, until a link sent to it confirms it. */
  @Property({ length: 254, nullable: true, unique: 'users_pending_email_unique' })
  pendingEmail?: string;

  @Property({ type: 'text', nullable: true })
  phone?: string;

  @Property({ type: 'text', hidden: true, lazy: true })
  passwordHash: string;

  @Enum({ items: () => Role, nativeEnumName: 'user_role' })
  role: Role & Opt = Role.USER;

  @Enum({ items: () => UserStatus, nativeEnumName: 'user_status' })
  @Index()
  status: UserStatus & Opt = UserStatus.ACTIVE;

  @Property({ type: 'text', nullable: true })
  walletAddress?: string;

  @Enum({ items: () => Blockchain, nativeEnumName: 'blockchain', nullable: true })
  walletBlockchain?: Blockchain;

  /** When the wallet's owner last proved it with a signature (`linkWallet`); only a proved wallet signs in. */
  @Property({ type: 'timestamptz', nullable: true })
  walletVerifiedAt?: Date;

  @Property({ type: 'boolean' })
  mfaEnabled: boolean & Opt = false;

  @Enum({ items: () => MfaMethod, nativeEnumName: 'mfa_method', nullable: true })
  mfaMethod?: MfaMethod;

  /** The active TOTP secret, encrypted (FieldEncryption, context users.mfa_secret). */
  @Property({ type: 'text', nullable: true, hidden: true, lazy: true })
  mfaSecret?: string;

  /** A TOTP secret handed out by beginTotpEnrollment and not yet confirmed, encrypted. */
  @Property({ type: 'text', nullable: true, hidden: true, lazy: true })
  totpPendingSecret?: string;

  @Property({ type: 'boolean', default: false })
  totpEnabled: boolean & Opt = false;

  /** The last TOTP time step accepted: a code is accepted once (set atomically). */
  @Property({ type: 'bigint', nullable: true, hidden: true })
  totpLastStep?: string;

  @Property({ type: 'boolean', default: false })
  smsMfaEnabled: boolean & Opt = false;

  /** When the profile phone was last proved by a code sent to it. */
  @Property({ type: 'timestamptz', nullable: true })
  phoneVerifiedAt?: Date;

  @Property({ type: 'integer' })
  failedLoginAttempts: number & Opt = 0;

  /** End of a temporary lockout after repeated failed sign-ins (the status stays as it is). */
  @Property({ type: 'timestamptz', nullable: true })
  lockedUntil?: Date;

  /** Lockouts since the last successful sign-in: each one lasts twice as long as the previous. */
  @Property({ type: 'integer', default: 0 })
  lockCount: number & Opt = 0;

  @Property({ type: 'timestamptz', nullable: true })
  lastLoginAt?: Date;

  @Property({ type: 'timestamptz' })
  passwordChangedAt: Date;

  @Property({ type: 'timestamptz' })
  createdAt: Date;

  @Property({ type: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date;

  @Property({ type: 'timestamptz', nullable: true })
  deletedAt?: Date;

  private eventLog?: EventLog;

  constructor(props: { username: string; email: string; passwordHash: string; phone?: string; now: Date }) {
    this.username = props.username;
    this.usernameSkeleton = usernameSkeleton(props.username);
    this.email = props.email;
    this.passwordHash = props.passwordHash;
    this.phone = props.phone;
    this.createdAt = props.now;
    this.updatedAt = props.now;
    this.passwordChangedAt = props.now;
    this.record('user.registered');
  }

  /** Events recorded by this aggregate, written to the audit trail by the unit of work. */
  get events(): EventLog {
    this.eventLog ??= new EventLog();
    return this.eventLog;
  }

  private record(type: string, data: Record<string, unknown> = {}): void {
    this.events.record({ type, subjectId: this.id, data });
  }

  /** Only an active account may sign in or use its sessions. */
  get canAuthenticate(): boolean {
    return this.status === UserStatus.ACTIVE;
  }

  get mfaMethods(): MfaMethod[] {
    return [...(this.totpEnabled ? [MfaMethod.TOTP] : []), ...(this.smsMfaEnabled ? [MfaMethod.SMS] : [])];
  }

  /** Turns a second factor on (the secret for TOTP comes encrypted). */
  enableMfa(method: MfaMethod, encryptedTotpSecret?: string): void {
    if (method === MfaMethod.TOTP) {
      this.mfaSecret = encryptedTotpSecret;
      this.totpPendingSecret = undefined;
      this.totpEnabled = true;
    } else {
      this.smsMfaEnabled = true;
    }
    this.mfaEnabled = true;
    this.mfaMethod = method;
    this.record('mfa.enabled', { method });
  }

  /** Turns every second factor off. */
  disableMfa(): void {
    const methods = this.mfaMethods;
    this.totpEnabled = false;
    this.smsMfaEnabled = false;
    this.mfaSecret = undefined;
    this.totpPendingSecret = undefined;
    this.totpLastStep = undefined;
    this.mfaEnabled = false;
    this.mfaMethod = undefined;
    this.record('mfa.disabled', { methods });
  }

  get isDeleted(): boolean {
    return this.status === UserStatus.DELETED;
  }

  /** Changes the username, and with it the skeleton that keeps lookalike usernames apart. */
  rename(username: string): void {
    this.username = username;
    this.usernameSkeleton = usernameSkeleton(username);
  }

  /**
   * Sets the wallet as typed in, without proof: a new address shows on the profile but signs no one
   * in until `linkWallet` proves it (the same one again keeps its proof).
   */
  setWallet(address: string | undefined, blockchain: Blockchain | undefined): void {
    const chain = address ? blockchain : undefined;
    if (address !== this.walletAddress || chain !== this.walletBlockchain) this.walletVerifiedAt = undefined;
    this.walletAddress = address;
    this.walletBlockchain = chain;
  }

  /** Sets the wallet whose owner just signed a challenge for this account: it may sign in from now on. */
  linkWallet(address: string, blockchain: Blockchain, now: Date): void {
    this.setWallet(address, blockchain);
    this.walletVerifiedAt = now;
    this.record('wallet.linked', { blockchain });
  }

  /**
   * Another account's owner proved control of the wallet this profile only claims (typed in,
   * never signed for): the claim gives way. A proved wallet is never removed this way.
   */
  removeWalletClaim(): void {
    if (!this.walletBlockchain || this.walletVerifiedAt)
      throw new Error('Only an unproved wallet claim can be removed');
    const blockchain = this.walletBlockchain;
    this.setWallet(undefined, undefined);
    this.record('wallet.claim_removed', { blockchain });
  }

  /**
   * What a completed sign-in does to its account: it records when, and (unless through a trusted
   * device) clears the failure count and any temporary lockout. Written by the statement that
   * completes a sign-in (sign-in-completion.ts), which applies this rule to the row under its lock.
   */
  static signedIn(userId: string, via: SignInVia): { clearsLockout: boolean; event: DomainEvent } {
    return {
      // Through a trusted device, a lockout caused elsewhere stays in force for everyone else.
      clearsLockout: via !== 'trusted_device',
      event: { type: 'login.succeeded', subjectId: userId, data: { via } },
    };
  }

  /** The owner followed a verification link sent to the address the account still has. */
  verifyEmail(): void {
    if (this.emailVerified) return;
    this.emailVerified = true;
    this.record('email.verified');
  }

  /** Keeps a new address aside until a link sent to it confirms it; the current one stays in use. */
  requestEmailChange(email: string): void {
    this.pendingEmail = email;
    this.record('email.change_requested');
  }

  /** The link sent to the pending address was followed: it becomes the account's, verified. */
  confirmEmailChange(): string {
    const previous = this.email;
    this.email = this.pendingEmail as string;
    this.pendingEmail = undefined;
    this.emailVerified = true;
    this.record('email.changed');
    return previous;
  }

  /**
   * A new password set through a reset link: the owner proved the mailbox, so a temporary lockout
   * ends with it.
   */
  resetPassword(passwordHash: string, now: Date): void {
    this.changePassword(passwordHash, now);
    this.clearLockout();
    this.record('user.password_reset');
  }

  changePassword(passwordHash: string, now: Date): void {
    this.passwordHash = passwordHash;
    this.passwordChangedAt = now;
    this.record('user.password_changed');
  }

  /** Records which profile fields changed (names only: the values are personal data). */
  recordProfileChange(fields: string[]): void {
    if (fields.length > 0) this.record('profile.changed', { fields });
  }

  /** Blocks sign-in until an admin unlocks the account. */
  lock(reason?: string | null): void {
    this.assertNotDeleted();
    this.status = UserStatus.LOCKED;
    this.record('user.locked', { by: 'admin', reason: reason ?? undefined });
  }

  /** Lifts an admin lock and any temporary lockout. */
  unlock(): void {
    this.assertNotDeleted();
    if (this.status === UserStatus.LOCKED) this.status = UserStatus.ACTIVE;
    this.clearLockout();
    this.record('user.unlocked');
  }

  suspend(reason?: string | null): void {
    this.assertNotDeleted();
    this.status = UserStatus.SUSPENDED;
    this.record('user.suspended', { reason: reason ?? undefined });
  }

  reactivate(): void {
    this.assertNotDeleted();
    if (this.status === UserStatus.SUSPENDED) this.status = UserStatus.ACTIVE;
    this.record('user.reactivated');
  }

  setRole(role: Role): void {
    this.assertNotDeleted();
    const from = this.role;
    this.role = role;
    this.record('user.role_changed', { from, to: role });
  }

  /**
   * GDPR erasure: the row stays (audit entries reference its id) but every
   * personal field is replaced by a non-identifying placeholder or removed, and
   * the password can never match again.
   */
  erase(now: Date): void {
    this.status = UserStatus.DELETED;
    this.deletedAt = now;
    this.rename(`deleted-${this.id}`);
    this.email = `deleted-${this.id}@deleted.invalid`;
    this.phone = undefined;
    this.pendingEmail = undefined;
    this.emailVerified = false;
    this.setWallet(undefined, undefined);
    this.mfaEnabled = false;
    this.mfaMethod = undefined;
    this.mfaSecret = undefined;
    this.totpPendingSecret = undefined;
    this.totpEnabled = false;
    this.smsMfaEnabled = false;
    this.phoneVerifiedAt = undefined;
    this.passwordHash = '!';
    this.role = Role.USER;
    this.record('user.deleted');
  }

  /**
   * Ends a temporary lockout and forgets the failures and earlier lockouts behind it. The counting
   * itself is atomic SQL (lockout-counter.ts); this is its one reset.
   */
  private clearLockout(): void {
    this.failedLoginAttempts = 0;
    this.lockCount = 0;
    this.lockedUntil = undefined;
  }

  private assertNotDeleted(): void {
    if (this.isDeleted) throw forbidden('A deleted account cannot be changed');
  }
}
