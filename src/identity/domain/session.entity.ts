import { randomUUID } from 'node:crypto';
import { Entity, Index, ManyToOne, type Opt, PrimaryKey, Property, type Ref, Unique } from '@mikro-orm/core';
import { type DomainEvent, EventLog } from '../../kernel/domain-event.js';
import type { User } from './user.entity.js';

/** How many refreshes a session may make per window (RATE_LIMIT_REFRESH_PER_MINUTE per 60 s). */
export interface RefreshBudget {
  perWindow: number;
  windowSeconds: number;
}

export enum SessionRevocation {
  LOGOUT = 'logout',
  REPLACED = 'replaced',
  REVOKED = 'revoked',
  REUSE_DETECTED = 'reuse_detected',
  PASSWORD_CHANGED = 'password_changed',
  ACCOUNT_DISABLED = 'account_disabled',
  /** Too many wrong passwords in re-checks: the access token is probably in the wrong hands. */
  PASSWORD_CHECKS_FAILED = 'password_checks_failed',
}

/**
 * One signed-in device of a user: the (user, device) pair that owns a chain of
 * rotating refresh tokens. At most one live session per (user, device id).
 */
@Entity({ tableName: 'sessions' })
@Index({ name: 'sessions_user_id_index', properties: ['user'] })
@Unique({
  name: 'sessions_live_device_unique',
  expression:
    'create unique index "sessions_live_device_unique" on "sessions" ("user_id", "device_id") where "revoked_at" is null',
})
export class Session {
  @PrimaryKey({ type: 'uuid' })
  id: string & Opt = randomUUID();

  @ManyToOne({ entity: 'User', ref: true, deleteRule: 'cascade' })
  user: Ref<User>;

  @Property({ length: 128 })
  deviceId: string;

  @Property({ length: 128, nullable: true })
  deviceName?: string;

  /** SHA-256 of the current refresh token; earlier ones live in RetiredRefreshToken. */
  @Property({ type: 'text', hidden: true, unique: 'sessions_refresh_token_hash_unique' })
  refreshTokenHash: string;

  /** How many times the refresh token has been rotated. */
  @Property({ type: 'integer' })
  generation: number & Opt = 0;

  @Property({ type: 'timestamptz', nullable: true })
  rotatedAt?: Date;

  /**
   * The current refresh token, encrypted, kept only so that the immediate
   * predecessor presented within the grace window (a second tab) can be handed
   * the same successor instead of forking the chain.
   */
  @Property({ type: 'text', nullable: true, hidden: true, lazy: true })
  graceTokenCiphertext?: string;

  @Property({ type: 'timestamptz' })
  createdAt: Date;

  /** When the device signed in or last refreshed; set from the start. */
  @Property({ type: 'timestamptz' })
  lastUsedAt: Date;

  /** A short summary of the client's User-Agent at sign-in ("Chrome 131 on macOS"), if it sent one. */
  @Property({ type: 'text', nullable: true })
  userAgent?: string;

  /** The client address the service saw at sign-in (behind TRUSTED_PROXIES, from X-Forwarded-For). */
  @Property({ type: 'text', nullable: true })
  ipAddress?: string;

  /** Idle expiry: pushed forward at each refresh, never past absoluteExpiresAt. */
  @Property({ type: 'timestamptz' })
  expiresAt: Date;

  @Property({ type: 'timestamptz' })
  absoluteExpiresAt: Date;

  @Property({ type: 'timestamptz', nullable: true })
  revokedAt?: Date;

  @Property({ type: 'text', nullable: true })
  revokedReason?: SessionRevocation;

  /** When the refresh budget's current window began: at the first refresh after the last window ended. */
  @Property({ type: 'timestamptz', nullable: true })
  refreshWindowStartedAt?: Date;

  /** Refreshes (and grace hand-backs) counted in that window. */
  @Property({ type: 'integer' })
  refreshCount: number & Opt = 0;

  constructor(props: {
    user: Ref<User>;
    deviceId: string;
    deviceName?: string;
    refreshTokenHash: string;
    now: Date;
    idleTtlSeconds: number;
    absoluteTtlSeconds: number;
    userAgent?: string;
    ipAddress?: string;
  }) {
    this.user = props.user;
    this.deviceId = props.deviceId;
    this.deviceName = props.deviceName;
    this.userAgent = props.userAgent;
    this.ipAddress = props.ipAddress;
    this.refreshTokenHash = props.refreshTokenHash;
    this.createdAt = props.now;
    this.lastUsedAt = props.now;
    const lifetime = Session.lifetime(props.now, props);
    this.expiresAt = lifetime.expiresAt;
    this.absoluteExpiresAt = lifetime.absoluteExpiresAt;
    this.events.record(Session.created(this.user.id, this.id, this.deviceId));
  }

  /**
   * When a session opened at `now` expires: idle after `idleTtlSeconds` without a refresh, and at
   * the latest `absoluteTtlSeconds` after it opened, however often it refreshes.
   */
  static lifetime(
    now: Date,
    ttl: { idleTtlSeconds: number; absoluteTtlSeconds: number },
  ): { expiresAt: Date; absoluteExpiresAt: Date } {
    const absoluteExpiresAt = addSeconds(now, ttl.absoluteTtlSeconds);
    return { expiresAt: minDate(addSeconds(now, ttl.idleTtlSeconds), absoluteExpiresAt), absoluteExpiresAt };
  }

  /** The event of a session opened on a device (by the constructor, or by a statement that inserts one). */
  static created(userId: string, sessionId: string, deviceId: string): DomainEvent {
    return { type: 'session.created', subjectId: userId, data: { sessionId, deviceId } };
  }

  /** The event of a session ended (revoke, or a statement that ends one and returns it). */
  static revoked(userId: string, sessionId: string, reason: SessionRevocation): DomainEvent {
    return { type: Session.REVOKED, subjectId: userId, data: { sessionId, reason } };
  }

  /** The type of the event of a session ended (Session.revoked). */
  static readonly REVOKED = 'session.revoked';

  private eventLog?: EventLog;

  /** Events recorded by this aggregate, written to the audit trail by the unit of work. */
  get events(): EventLog {
    this.eventLog ??= new EventLog();
    return this.eventLog;
  }

  private record(type: string, data: Record<string, unknown>): void {
    this.events.record({ type, subjectId: this.user.id, data: { sessionId: this.id, ...data } });
  }

  /**
   * Milliseconds until the session's refresh budget has room again, 0 when one more refresh fits
   * now. The budget is `perWindow` refreshes in a fixed window of `windowSeconds`, opened by the
   * first refresh after the last window ended. Spending it is written in SQL by the statement that
   * rotates (session-rotation.ts), which checks the same rule again under the row lock.
   */
  refreshWaitMs(now: Date, budget: RefreshBudget): number {
    if (!this.refreshWindowStartedAt || this.refreshCount < budget.perWindow) return 0;
    const windowMs = budget.windowSeconds * 1000;
    // Never longer than a window, should the instance that opened it have a clock ahead of ours.
    return Math.min(windowMs, Math.max(0, this.refreshWindowStartedAt.getTime() + windowMs - now.getTime()));
  }

  isActive(now: Date): boolean {
    return !this.revokedAt && this.expiresAt > now;
  }

  /**
   * The idle expiry a refresh at `now` pushes a session to, unless its absolute expiry comes
   * first: the rotation writes the rule in SQL under the row lock (session-rotation.ts), with the
   * next generation, rather than through the unit of work.
   */
  static idleExpiry(now: Date, idleTtlSeconds: number): Date {
    return addSeconds(now, idleTtlSeconds);
  }

  /** The type of a refresh's event (Session.refreshed). */
  static readonly REFRESHED = 'session.refreshed';

  /**
   * The event of a refresh: the session moved to `generation` (or, `handedBack`, its current
   * successor went to the immediate predecessor). Authentication reads nothing it changes.
   */
  static refreshed(userId: string, sessionId: string, generation: number, handedBack?: true): DomainEvent {
    return {
      type: Session.REFRESHED,
      subjectId: userId,
      data: { sessionId, generation, ...(handedBack ? { handedBack } : {}) },
      authenticationUnchanged: true,
    };
  }

  /**
   * The event of a grace hand-back: the immediate predecessor was given this session's current
   * successor. No token moves, but credentials were issued, so it is audited like a rotation.
   */
  handedBack(): DomainEvent {
    return Session.refreshed(this.user.id, this.id, this.generation, true);
  }

  /**
   * What ending a session writes, whether one session ends (revoke) or many at once (the bulk
   * statement of session-revocation.ts): when and why, and the grace copy of its refresh token
   * erased.
   */
  static ended(reason: SessionRevocation, now: Date) {
    return { revokedAt: now, revokedReason: reason, graceTokenCiphertext: undefined };
  }

  /** The one audit event of a bulk revocation, which loads no session. */
  static endedInBulk(userId: string, reason: SessionRevocation, count: number): DomainEvent {
    return { type: 'sessions.revoked', subjectId: userId, data: { reason, count } };
  }

  /** Ends this session; ending an ended session changes nothing. */
  revoke(reason: SessionRevocation, now: Date): void {
    if (this.revokedAt) return;
    Object.assign(this, Session.ended(reason, now));
    if (reason === SessionRevocation.REUSE_DETECTED)
      this.record('refresh_token.reused', { generation: this.generation });
    this.record(Session.REVOKED, { reason });
  }
}

const addSeconds = (d: Date, s: number) => new Date(d.getTime() + s * 1000);
const minDate = (a: Date, b: Date) => (a < b ? a : b);
