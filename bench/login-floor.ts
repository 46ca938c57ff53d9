/**
 * The sign-in floor: the least any password sign-in does, with none of the service's request
 * handling around it. node:http and one JSON body; one statement finds the seeded account's hash;
 * the service's own password hasher (the same pre-hash, bcrypt comparison and cap on hashes in
 * flight) on a thread pool sized and lowered in priority as the service does it; one statement
 * writes a session row; an Ed25519-signed token goes back. No GraphQL, no ORM, no rate limits, no
 * lockout, no audit, no device trust, no mail. Loaded like `login` on the same database, it shows
 * how close to the bcrypt bound a sign-in can get on this machine at all, and so what the
 * service's own work costs beside it.
 * Started by the benchmark as its own process (PORT, DATABASE_URL, PASSWORD_PEPPER, BCRYPT_COST
 * and PASSWORD_HASH_CONCURRENCY from the service's environment). It also answers a `register`
 * mutation (one hash, one insert), `me` (the token's signature checked) and `refresh` (one
 * statement rotates the token), so that a harness that signs its users up and checks their
 * sessions through the API can load it; variables come either as `input` or at the top level
 * (`identifier` or `email`).
 */
import { createHmac, generateKeyPairSync, randomBytes, randomUUID, sign, verify } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Pool } from 'pg';
import { createPasswordHasher } from '../src/adapters/crypto/password-hasher.js';
import { lowerThreadPoolPriority, sizeThreadPool } from '../src/adapters/crypto/thread-pool.js';
import { DEFAULT_PASSWORD_HASH_CONCURRENCY } from '../src/config/config.js';

const TABLE = 'bench_floor_sessions';
/** The root field a GraphQL document asks for first: `register`, `login`, `refresh` or `me`. */
const ROOT_FIELD = /\{\s*(\w+)/;

async function main(): Promise<void> {
  const hashes = Number(process.env.PASSWORD_HASH_CONCURRENCY) || DEFAULT_PASSWORD_HASH_CONCURRENCY;
  sizeThreadPool(hashes);
  await lowerThreadPoolPriority();
  const pepper = Buffer.from(process.env.PASSWORD_PEPPER ?? '', 'base64');
  const hasher = createPasswordHasher({
    pepper,
    cost: Number(process.env.BCRYPT_COST) || 10,
    maxConcurrent: hashes,
  });
  const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
  await pool.query(
    `create table if not exists ${TABLE} (id uuid primary key, user_id uuid not null,
       device_id text not null, refresh_token_hash text not null unique, created_at timestamptz not null)`,
  );
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');

  const answer = (res: ServerResponse, status: number, body: object) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };

  async function register(input: Record<string, unknown>): Promise<object> {
    const username = String(input.username ?? '');
    const hash = await hasher.hash(String(input.password ?? ''));
    const inserted = await pool.query<{ id: string }>(
      `insert into users (id, username, username_skeleton, email, password_hash, role, status, mfa_enabled,
                          failed_login_attempts, password_changed_at, created_at, updated_at)
       values (gen_random_uuid(), $1::text, lower($1::text), lower($2::text), $3, 'USER', 'ACTIVE', false, 0, now(), now(), now())
       returning id`,
      [username, String(input.email ?? ''), hash],
    );
    return { data: { register: { id: inserted.rows[0].id } } };
  }

  async function signIn(input: Record<string, unknown>): Promise<object> {
    const identifier = String(input.identifier ?? input.email ?? '').toLowerCase();
    const byEmail = identifier.includes('@');
    const found = await pool.query<{ id: string; password_hash: string }>(
      `select id, password_hash from users where ${byEmail ? 'email' : 'lower(username)'} = $1`,
      [identifier],
    );
    const account = found.rows[0];
    if (!account || !(await hasher.verify(String(input.password ?? ''), account.password_hash)))
      return { errors: [{ message: 'Invalid credentials' }] };
    const refreshToken = randomBytes(32).toString('base64url');
    const sessionId = randomUUID();
    await pool.query(`insert into ${TABLE} values ($1, $2, $3, $4, now())`, [
      sessionId,
      account.id,
      String(input.deviceId ?? ''),
      tokenHash(refreshToken),
    ]);
    return { data: { login: { accessToken: accessToken(account.id, sessionId), refreshToken } } };
  }

  async function refresh(input: Record<string, unknown>): Promise<object> {
    const refreshToken = randomBytes(32).toString('base64url');
    const rotated = await pool.query<{ id: string; user_id: string }>(
      `update ${TABLE} set refresh_token_hash = $1 where refresh_token_hash = $2 returning id, user_id`,
      [tokenHash(refreshToken), tokenHash(String(input.refreshToken ?? ''))],
    );
    const session = rotated.rows[0];
    if (!session) return { errors: [{ message: 'Invalid credentials' }] };
    return { data: { refresh: { accessToken: accessToken(session.user_id, session.id), refreshToken } } };
  }

  const me = (authorization: string | undefined): object => {
    const [header, claims, signature] = (authorization ?? '').replace(/^Bearer /, '').split('.');
    const signed = Buffer.from(`${header}.${claims}`);
    if (!signature || !verify(null, signed, publicKey, Buffer.from(signature, 'base64url')))
      return { errors: [{ message: 'Not signed in' }] };
    return { data: { me: { id: JSON.parse(Buffer.from(claims, 'base64url').toString('utf8')).sub } } };
  };

  const tokenHash = (token: string) => createHmac('sha256', pepper).update(token).digest('hex');
  const accessToken = (userId: string, sessionId: string) => {
    const header = Buffer.from('{"alg":"EdDSA","typ":"JWT"}').toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const claims = Buffer.from(
      JSON.stringify({ sub: userId, sid: sessionId, iat: now, exp: now + 900 }),
    ).toString('base64url');
    const signature = sign(null, Buffer.from(`${header}.${claims}`), privateKey).toString('base64url');
    return `${header}.${claims}.${signature}`;
  };

  function handle(
    request: { query?: unknown; variables?: Record<string, unknown> },
    authorization: string | undefined,
  ): Promise<object> | object {
    const variables = request.variables ?? {};
    const input = (variables.input ?? variables) as Record<string, unknown>;
    const field = ROOT_FIELD.exec(String(request.query))?.[1];
    if (field === 'register') return register(input);
    if (field === 'login') return signIn(input);
    if (field === 'refresh') return refresh(input);
    return me(authorization);
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'GET' && req.url === '/readyz') return answer(res, 200, { status: 'ok' });
    if (req.method !== 'POST' || req.url !== '/graphql') return answer(res, 404, {});
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      let request: { query?: unknown; variables?: Record<string, unknown> };
      try {
        request = JSON.parse(Buffer.concat(chunks).toString('utf8')) ?? {};
      } catch {
        // Not logged: the parser's message quotes the body, which holds a password.
        return answer(res, 400, { errors: [{ message: 'The body is not JSON' }] });
      }
      Promise.resolve()
        .then(() => handle(request, req.headers.authorization))
        .then(
          (body) => answer(res, 200, body),
          (err: unknown) => {
            // Its kind and code only: never a value from the request.
            const { name, code } = err as { name?: string; code?: string };
            process.stderr.write(`login-floor: request failed (${name ?? 'error'} ${code ?? ''})\n`);
            answer(res, 500, { errors: [{ message: 'Internal server error' }] });
          },
        );
    });
  });
  server.listen(Number(process.env.PORT), '127.0.0.1');
  process.once('SIGTERM', () => {
    server.close();
    server.closeAllConnections();
    void pool
      .query(`drop table if exists ${TABLE}`)
      .catch(() => undefined)
      .finally(() => pool.end())
      .then(() => process.exit(0));
  });
}

void main();
