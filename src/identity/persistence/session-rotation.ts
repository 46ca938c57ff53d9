import type { EntityManager } from '@mikro-orm/postgresql';
import type { RunStatement } from '../../adapters/database/prepared-statements.js';
import { type Role, UserStatus } from '../domain/enums.js';
import { type RefreshBudget, Session } from '../domain/session.entity.js';
import { User } from '../domain/user.entity.js';
import type { StagedEntries } from './audit-chain.js';
import type { FoundByStatement } from './unit-of-work.js';
import { eagerUserColumns } from './user-queries.js';

/**
 * The SQL of a refresh-token rotation, the hottest write of the service. Hand-written because
 * building these statements through the ORM (query builder, change sets) cost most of a refresh's
 * CPU. The usual rotation is one statement and no transaction: it finds the session by the
 * presented token, checks it under the row locks and writes the whole rotation with its audit
 * entry. Anything unusual is read plainly to say why, then goes through a transaction: one
 * statement locks the session and reads its user, one writes the rotation. The transaction's rows
 * are mapped into the caller's identity map as clean entities, so a unit of work's flush has
 * nothing left to write; the one statement maps nothing unless its caller asks for the account.
 */

/** Every session column but the lazy grace token, read and returned by the statements below. */
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
  return row ? mapSessionAndUser(em, row) : undefined;
}

/** A row of session columns prefixed `s_` and the user's eager columns, mapped into `em`. */
function mapSessionAndUser(em: EntityManager, row: Record<string, unknown>): Session {
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
 * After a rotation by token wrote nothing, what it shows says why: a current token past its
 * budget is refused at once, anything else is decided under the locks of a transaction.
 */
export function findSessionByTokenHash(em: EntityManager, tokenHash: string): Promise<Session | undefined> {
  return sessionByTokenHash(em, tokenHash, '');
}

/**
 * Locks FOR SHARE the account of the session this refresh token is (or was) current for, before
 * any session row: the order of the one statement (rotateByToken) and of everything that ends an
 * account's sessions (revokeUserSessions), so that none of them waits for another in a circle.
 */
export async function lockAccountOfToken(tx: EntityManager, tokenHash: string): Promise<void> {
  await tx.execute(
    `select 1 from users where id = (
       select user_id from sessions where refresh_token_hash = ?
       union all
       select s.user_id from retired_refresh_tokens r join sessions s on s.id = r.session_id where r.token_hash = ?
       limit 1) for share`,
    [tokenHash, tokenHash],
  );
}

/** Locks a session row until the transaction ends (its account locked first: lockAccountOfToken). */
export async function lockSession(tx: EntityManager, sessionId: string): Promise<void> {
  await tx.execute('select 1 from sessions where id = ? for no key update', [sessionId]);
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

/**
 * What a rotation writes besides retiring the presented token: the successor's token (its hash,
 * and its encrypted copy for the grace hand-back), when, and the budget it spends. The next
 * generation and the idle expiry (`idleExpiresAt`, unless the absolute expiry comes first) are
 * computed by the statement from the row under its lock.
 */
export interface Successor {
  refreshTokenHash: string;
  graceTokenCiphertext: string;
  idleExpiresAt: Date;
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
const MOVE_TO_SUCCESSOR = `refresh_token_hash = ?, grace_token_ciphertext = ?, generation = generation + 1,
  rotated_at = ?, last_used_at = ?, expires_at = least(?::timestamptz, absolute_expires_at), ${SPEND_REFRESH}`;
const successorParams = (next: Successor) => [
  next.refreshTokenHash,
  next.graceTokenCiphertext,
  next.now,
  next.now,
  next.idleExpiresAt,
  ...spendParams(next.now, next.budget),
];

/**
 * The audit of rotateByToken: its `session.refreshed` entry staged from the rotated row, and the
 * event of the session it returns.
 */
export const ROTATED_BY_TOKEN: FoundByStatement<RotatedByToken> = {
  type: Session.REFRESHED,
  fromRow: { subjectId: 'row.user_id', data: { sessionId: 'row.id', generation: 'row.generation' } },
  eventsOf: ({ session }) => [Session.refreshed(session.userId, session.id, session.generation)],
};

/**
 * What rotateByToken returns: the session as rotated and its account's role, as plain values (no
 * entity is mapped for a refresh that needs none), and the account's row mapped into the unit of
 * work on first call, for an answer that shows the account.
 */
export interface RotatedByToken {
  session: {
    readonly id: string;
    readonly userId: string;
    readonly deviceId: string;
    readonly deviceName?: string;
    readonly generation: number;
    readonly createdAt: Date;
    readonly lastUsedAt: Date;
    readonly userAgent?: string;
    readonly ipAddress?: string;
    readonly expiresAt: Date;
  };
  role: Role;
  user(): User;
}

const asDate = (value: unknown): Date => (value instanceof Date ? value : new Date(value as string));
const orUndefined = (value: unknown): string | undefined => (value === null ? undefined : (value as string));

/**
 * The usual refresh, in one statement and one round trip, knowing only the presented token: it
 * moves the session whose current token that is, on this device, not revoked nor expired, with
 * budget left, of an active account, to its successor; retires the token; and stages the audit
 * entry from the rotated row (ROTATED_BY_TOKEN). The account is locked FOR SHARE and read under
 * the lock, so a suspension or role change cannot slip in between the check and the token signed
 * from that row. Under the row locks PostgreSQL checks every condition again against what
 * committed meanwhile. `run` sends it (a prepared statement where the connection allows). Returns
 * the rotated session and its account, or undefined when it wrote nothing: the token is not a
 * current one, or something refuses it.
 */
export async function rotateByToken(
  em: EntityManager,
  run: RunStatement,
  presented: { tokenHash: string; deviceId: string },
  next: Successor,
  audit: StagedEntries | undefined,
): Promise<RotatedByToken | undefined> {
  const [row] = await run(
    em,
    `with account as (
       select ${eagerUserColumns(em, 'u')} from users u
        where u.id = (select user_id from sessions where refresh_token_hash = ?) and u.status = ?
        for share
     ), rotated as (
       update sessions s set ${MOVE_TO_SUCCESSOR}
       where s.refresh_token_hash = ? and s.device_id = ? and s.revoked_at is null and s.expires_at > ?
         and ${BUDGET_LEFT} and s.user_id = (select id from account)
       returning ${SESSION_COLUMNS.map((c) => `s.${c}`).join(', ')}
     ), retired as (
       insert into retired_refresh_tokens (token_hash, session_id, generation, retired_at)
       select ?, id, generation - 1, ?::timestamptz from rotated
     )${audit ? `, audited as (${audit.sql('rotated')})` : ''}
     select ${SESSION_COLUMNS.map((c) => `rotated.${c} as s_${c}`).join(', ')}, account.*
       from rotated cross join account`,
    [
      presented.tokenHash,
      UserStatus.ACTIVE,
      ...successorParams(next),
      presented.tokenHash,
      presented.deviceId,
      next.now,
      ...budgetLeftParams(next.now, next.budget),
      presented.tokenHash,
      next.now,
      ...(audit?.params ?? []),
    ],
  );
  if (!row) return undefined;
  const session = {
    id: row.s_id as string,
    userId: row.s_user_id as string,
    deviceId: row.s_device_id as string,
    deviceName: orUndefined(row.s_device_name),
    generation: row.s_generation as number,
    createdAt: asDate(row.s_created_at),
    lastUsedAt: asDate(row.s_last_used_at),
    userAgent: orUndefined(row.s_user_agent),
    ipAddress: orUndefined(row.s_ip_address),
    expiresAt: asDate(row.s_expires_at),
  };
  for (const column of SESSION_COLUMNS) delete row[`s_${column}`];
  let user: User | undefined;
  return { session, role: row.role as Role, user: () => (user ??= em.map(User, row)) };
}

/**
 * Retires the presented token, moves the session to its successor and spends one of its refresh
 * budget in one statement. The returned row is merged into the identity map, so the session entity
 * reads as rotated and clean. Only for a session locked by lockSessionByTokenHash in this
 * transaction (`locked`, found by the presented token), with budget left.
 */
export async function writeRotation(
  tx: EntityManager,
  locked: Session,
  presentedTokenHash: string,
  next: Successor,
): Promise<Session> {
  const [row]: Record<string, unknown>[] = await tx.execute(
    `with retired as (
       insert into retired_refresh_tokens (token_hash, session_id, generation, retired_at) values (?, ?, ?, ?)
     )
     update sessions set ${MOVE_TO_SUCCESSOR}
     where id = ?
     returning ${SESSION_COLUMNS.join(', ')}`,
    [presentedTokenHash, locked.id, locked.generation, next.now, ...successorParams(next), locked.id],
  );
  return tx.map(Session, row);
}
