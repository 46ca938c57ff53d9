import type { EntityManager } from '@mikro-orm/postgresql';
import type { RunStatement } from '../../adapters/database/prepared-statements.js';
import { UserStatus } from '../domain/enums.js';
import { SessionRevocation } from '../domain/session.entity.js';
import type { StagedEntries } from './audit-chain.js';
import { eagerUserColumns } from './user-queries.js';

/**
 * The writes that complete a sign-in, as one statement. Hand-written because the unit of work
 * spent a round trip on each of them (a read of the account, of the device's live session and of
 * its trust record, then an UPDATE or INSERT for each), and because the sign-in is, after the
 * password hash itself, the service's costliest request.
 */

/** The session a sign-in opens: every value but its account, which the statement takes from the row. */
export interface OpenedSession {
  id: string;
  deviceId: string;
  deviceName?: string;
  refreshTokenHash: string;
  userAgent?: string;
  ipAddress?: string;
  expiresAt: Date;
  absoluteExpiresAt: Date;
}

/** The device's trust record after a sign-in: the one token now valid for it, until when. */
export interface RenewedTrust {
  /** The record's id, used only when the device has none yet. */
  id: string;
  tokenId: string;
  expiresAt: Date;
}

export interface SignInWrites {
  userId: string;
  now: Date;
  /** Whether the account's failure count and temporary lockout are cleared (User.signedIn). */
  clearsLockout: boolean;
  session: OpenedSession;
  trust: RenewedTrust;
}

export interface CompletedSignIn {
  /** The account's eager columns, as written: to map into a unit of work when the answer needs it. */
  accountRow: Record<string, unknown>;
  /** The live session this sign-in replaced on the same device, if there was one. */
  replacedSessionId?: string;
  /** Whether the device had no trust record for this account: the account never signed in on it. */
  newDevice: boolean;
}

/**
 * The audit entries of a completed sign-in (AuditTrail.stagedInOrder, gated on the inserted
 * session): what happened up to the sign-in itself, `login.succeeded` last; then the entry for the
 * session it replaced, built from the replaced row (REPLACED_SESSION over `replaced`); then the
 * session opened. Absent with the audit off.
 */
export type SignInAudit = StagedEntries | undefined;

/** The fields of the replaced session's `session.revoked` entry, over the row `replaced` returns. */
export const REPLACED_SESSION = {
  subjectId: 'row.user_id',
  data: { sessionId: 'row.id', reason: 'row.revoked_reason' },
};

const SESSION_INSERT_COLUMNS =
  'id, user_id, device_id, device_name, refresh_token_hash, generation, created_at, last_used_at, user_agent, ip_address, expires_at, absolute_expires_at, refresh_count';

/**
 * Completes a sign-in inside the caller's transaction, in one statement (sent by `run`, prepared
 * where the connection allows): the account, if still active, records the sign-in (and clears its
 * lockout when asked); a live session on the same device ends as replaced; the new session opens;
 * the device's trust record is created or renewed with a reset failure count; and the audit
 * entries are staged. The account's row is locked first (by the UPDATE), then the session rows,
 * the order every path that ends an account's sessions takes, so none of them deadlocks with it.
 * The lock does not order two sign-ins on one device: a statement that waited for the account's
 * row reads the sessions as they were when it began, and meets the one-live-session index if the
 * other committed a session meanwhile (a unique violation; the caller tries once more). Returns
 * undefined, having written nothing, when the account is no longer active.
 */
export async function completeSignIn(
  tx: EntityManager,
  run: RunStatement,
  writes: SignInWrites,
  audit: SignInAudit,
): Promise<CompletedSignIn | undefined> {
  const { session, trust, now } = writes;
  // The session is inserted only once the replaced one has ended (the cross join reads all of
  // `replaced` first): one live session per device, by a partial unique index.
  const [row] = await run(
    tx,
    `with account as (
       update users u set
         failed_login_attempts = case when ? then 0 else u.failed_login_attempts end,
         lock_count = case when ? then 0 else u.lock_count end,
         locked_until = case when ? then null else u.locked_until end,
         last_login_at = ?, updated_at = ?
       where u.id = ? and u.status = ?
       returning ${eagerUserColumns(tx, 'u')}
     ), replaced as (
       update sessions set revoked_at = ?, revoked_reason = ?, grace_token_ciphertext = null
       where user_id = (select id from account) and device_id = ? and revoked_at is null
       returning id, user_id, revoked_reason
     ), opened as (
       insert into sessions (${SESSION_INSERT_COLUMNS})
       select ?::uuid, account.id, ?, ?, ?, 0, ?::timestamptz, ?::timestamptz, ?, ?, ?::timestamptz, ?::timestamptz, 0
         from account cross join (select count(*) from replaced) as ended
       returning id
     ), trusted as (
       insert into device_trusts (id, user_id, device_id, token_id, failed_attempts, expires_at, updated_at)
       select ?::uuid, account.id, ?, ?::uuid, 0, ?::timestamptz, ?::timestamptz from account
       on conflict (user_id, device_id) do update set
         token_id = excluded.token_id, failed_attempts = 0,
         expires_at = excluded.expires_at, updated_at = excluded.updated_at
       returning (xmax = 0) as inserted
     )${audit ? `, entries as (${audit.sql('opened')})` : ''}
     select account.*, (select id from replaced) as replaced_session_id,
            (select inserted from trusted) as new_device
       from account`,
    [
      writes.clearsLockout,
      writes.clearsLockout,
      writes.clearsLockout,
      now,
      now,
      writes.userId,
      UserStatus.ACTIVE,
      now,
      SessionRevocation.REPLACED,
      session.deviceId,
      session.id,
      session.deviceId,
      session.deviceName ?? null,
      session.refreshTokenHash,
      now,
      now,
      session.userAgent ?? null,
      session.ipAddress ?? null,
      session.expiresAt,
      session.absoluteExpiresAt,
      trust.id,
      session.deviceId,
      trust.tokenId,
      trust.expiresAt,
      now,
      ...(audit?.params ?? []),
    ],
  );
  if (!row) return undefined;
  const { replaced_session_id: replaced, new_device: newDevice, ...accountRow } = row;
  return {
    accountRow,
    replacedSessionId: (replaced as string | null) ?? undefined,
    newDevice: newDevice === true,
  };
}
