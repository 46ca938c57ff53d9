import type { EntityManager } from '@mikro-orm/postgresql';
import { type RefreshBudget, Session } from '../domain/session.entity.js';
import { User } from '../domain/user.entity.js';
import type { StagedEntries } from './audit-chain.js';
import { eagerUserColumns } from './user-queries.js';

/**
 * The SQL of a refresh-token rotation, the hottest write of the service. Hand-written because
 * building these statements through the ORM (query builder, change sets) cost most of a refresh's
 * CPU. The usual rotation is two statements and no transaction: a plain read of the session and
 * its user, then one statement that checks nothing changed and writes the whole rotation with its
 * audit entry. Anything unusual goes through a transaction: one statement locks the session and
 * reads its user, one writes the rotation. Rows are mapped into the caller's identity map as
 * clean entities, so a unit of work's flush has nothing left to write.
 */

/** Every session column but the lazy grace token, read and returned by both statements. */
const SESSION_COLUMNS = [
  'id',
  'user_id',
  'device_id',
  'device_name',
  'refresh_token_hash',
  'generation',
  'rotated_at',
  'created_at',
  'last_used_at',
  'user_agent',
  'ip_address',
  'expires_at',
  'absolute_expires_at',
  'revoked_at',
  'revoked_reason',
  'refresh_window_started_at',
  'refresh_count',
];

/**
 * Whether this hash is of a rotated-away refresh token: a plain read, so that a token the service
 * never issued is refused without a transaction. What happens to its session is decided under the
 * row lock.
 */
export async function isRetiredToken(em: EntityManager, tokenHash: string): Promise<boolean> {
  const [row]: { known: boolean }[] = await em.execute(
    'select exists (select 1 from retired_refresh_tokens where token_hash = ?) as known',
    [tokenHash],
  );
  return row?.known === true;
}

/** The session holding this refresh-token hash and its user, mapped into `em`'s identity map. */
async function sessionByTokenHash(
  em: EntityManager,
  tokenHash: string,
  lock: string,
): Promise<Session | undefined> {
  // Session columns prefixed so that they cannot collide with the user's.
  const [row]: Record<string, unknown>[] = await em.execute(
    `select ${SESSION_COLUMNS.map((c) => `s.${c} as s_${c}`).join(', ')},
            ${eagerUserColumns(em, 'u')}
       from sessions s join users u on u.id = s.user_id
      where s.refresh_token_hash = ? ${lock}`,
    [tokenHash],
  );
  if (!row) return undefined;
  const sessionRow: Record<string, unknown> = {};
  for (const column of SESSION_COLUMNS) {
    sessionRow[column] = row[`s_${column}`];
    delete row[`s_${column}`];
  }
  em.map(User, row);
  // Mapped after its user, so that session.user is the loaded user.
  return em.map(Session, sessionRow);
}

/**
 * The session whose current refresh token has this hash, with its user: a plain read, no lock.
 * What it shows decides whether the rotation can be tried in one statement (rotateInOneStatement),
 * which checks again that nothing changed, or refused at once for a spent budget.
 */
export function findSessionByTokenHash(em: EntityManager, tokenHash: string): Promise<Session | undefined> {
  return sessionByTokenHash(em, tokenHash, '');
}

/**
 * The session holding this refresh-token hash, with its user, both rows locked until the
 * transaction ends. The session FOR NO KEY UPDATE: parallel refreshes of one session queue
 * here. The user FOR SHARE: an account change (suspension, deletion, password change) waits
 * for the rotation and cannot slip in between the check and it, while refreshes of the same
 * user's other devices, and their sign-ins, go ahead.
 */
export function lockSessionByTokenHash(tx: EntityManager, tokenHash: string): Promise<Session | undefined> {
  return sessionByTokenHash(tx, tokenHash, 'for no key update of s for share of u');
}

/** What a rotation writes: the presented token retired, the session moved to its successor. */
export interface Rotation {
  sessionId: string;
  retiredTokenHash: string;
  retiredGeneration: number;
  refreshTokenHash: string;
  graceTokenCiphertext: string;
  generation: number;
  expiresAt: Date;
  now: Date;
  /** The session's refresh budget, of which the rotation spends one. */
  budget: RefreshBudget;
}

/** Counts one refresh in the session's budget window (see MOVE_TO_SUCCESSOR); parameters from spendParams. */
const SPEND_REFRESH = `refresh_window_started_at = case when refresh_window_started_at > ? then refresh_window_started_at else ?::timestamptz end,
  refresh_count = case when refresh_window_started_at > ? then refresh_count + 1 else 1 end`;
const windowFloor = (now: Date, budget: RefreshBudget) =>
  new Date(now.getTime() - budget.windowSeconds * 1000);
const spendParams = (now: Date, budget: RefreshBudget) => [
  windowFloor(now, budget),
  now,
  windowFloor(now, budget),
];
/** Whether the budget has room, as a condition on the session row under its lock: as Session.refreshWaitMs. */
const BUDGET_LEFT =
  '(refresh_window_started_at is null or refresh_window_started_at <= ? or refresh_count < ?)';
const budgetLeftParams = (now: Date, budget: RefreshBudget) => [windowFloor(now, budget), budget.perWindow];

/**
 * Spends one of a locked session's refresh budget without rotating it: a grace hand-back. Only
 * for a session locked in this transaction whose budget has room (Session.refreshWaitMs).
 */
export async function spendRefreshBudget(
  tx: EntityManager,
  sessionId: string,
  now: Date,
  budget: RefreshBudget,
): Promise<void> {
  await tx.execute(`update sessions set ${SPEND_REFRESH} where id = ?`, [
    ...spendParams(now, budget),
    sessionId,
  ]);
}

/**
 * What moves a session to its successor and spends one of its refresh budget: the SET list of both
 * rotations, and its parameters in order. The budget's window goes on while it started after
 * `now - windowSeconds`; else this refresh opens a new one (Session.refreshWaitMs reads the same
 * rule). SET expressions read the row as it was, so both CASEs see the old window.
 */
const MOVE_TO_SUCCESSOR = `refresh_token_hash = ?, grace_token_ciphertext = ?, generation = ?, rotated_at = ?,
  last_used_at = ?, expires_at = ?, ${SPEND_REFRESH}`;
const successorParams = (r: Rotation) => [
  r.refreshTokenHash,
  r.graceTokenCiphertext,
  r.generation,
  r.now,
  r.now,
  r.expiresAt,
  ...spendParams(r.now, r.budget),
];

/**
 * The whole rotation of a session read unlocked (findSessionByTokenHash) as one statement, in
 * its own implicit transaction: one round trip instead of a transaction's five. It locks the
 * user FOR SHARE and moves the session only if both still stand as they were read: the
 * presented token still current at the same generation, on the same account and device, not
 * revoked nor expired, its refresh budget not spent, the account active with the same role.
 * Under the row locks PostgreSQL checks those conditions again against what committed meanwhile,
 * so a parallel rotation or grace hand-back, a revocation or a suspension leaves nothing written. The token is retired and the audit entries
 * staged by the same statement, only when the session moved. Returns the rotated session, or
 * undefined when anything changed: the caller then decides under the locks of a transaction.
 */
export async function rotateInOneStatement(
  em: EntityManager,
  seen: { userId: string; status: string; role: string; deviceId: string },
  r: Rotation,
  audit: StagedEntries | undefined,
): Promise<Session | undefined> {
  const [row]: Record<string, unknown>[] = await em.execute(
    `with account as (
       select 1 from users where id = ? and status = ? and role = ? for share
     ), rotated as (
       update sessions set ${MOVE_TO_SUCCESSOR}
       where id = ? and refresh_token_hash = ? and generation = ? and user_id = ? and device_id = ?
         and revoked_at is null and expires_at > ? and ${BUDGET_LEFT} and exists (select 1 from account)
       returning ${SESSION_COLUMNS.join(', ')}
     ), retired as (
       insert into retired_refresh_tokens (token_hash, session_id, generation, retired_at)
       select ?, id, ?::integer, ?::timestamptz from rotated
     )${audit ? `, audited as (${audit.sql('rotated')})` : ''}
     select * from rotated`,
    [
      seen.userId,
      seen.status,
      seen.role,
      ...successorParams(r),
      r.sessionId,
      r.retiredTokenHash,
      r.retiredGeneration,
      seen.userId,
      seen.deviceId,
      r.now,
      ...budgetLeftParams(r.now, r.budget),
      r.retiredTokenHash,
      r.retiredGeneration,
      r.now,
      ...(audit?.params ?? []),
    ],
  );
  return row ? em.map(Session, row) : undefined;
}

/**
 * Retires the presented token, moves the session to its successor and spends one of its refresh
 * budget in one statement. The
 * returned row is merged into the identity map, so the session entity reads as rotated and clean.
 * Only for a session locked by lockSessionByTokenHash in this transaction, with budget left.
 */
export async function writeRotation(tx: EntityManager, rotation: Rotation): Promise<Session> {
  const r = rotation;
  const [row]: Record<string, unknown>[] = await tx.execute(
    `with retired as (
       insert into retired_refresh_tokens (token_hash, session_id, generation, retired_at) values (?, ?, ?, ?)
     )
     update sessions set ${MOVE_TO_SUCCESSOR}
     where id = ?
     returning ${SESSION_COLUMNS.join(', ')}`,
    [r.retiredTokenHash, r.sessionId, r.retiredGeneration, r.now, ...successorParams(r), r.sessionId],
  );
  return tx.map(Session, row);
}
