import {
  createPublicKey,
  generateKeyPairSync,
  type JsonWebKey,
  randomUUID,
  sign,
  verify,
  webcrypto,
} from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importJWK } from 'jose';
import { PgBoss } from 'pg-boss';
import { createFieldEncryption } from '../../src/adapters/crypto/field-encryption';
import { chainHash } from '../../src/identity/domain/audit-canonical';
import { chainedFields, type LinkedRow } from '../../src/identity/persistence/audit-rows';
import { verifyAgainstCheckpoint } from '../../src/identity/persistence/verify-against-checkpoint';
import { verifyChain } from '../../src/identity/persistence/verify-chain';
import { linkAudit, tamper } from '../support/audit';
import { runOperatorCommand } from '../support/command';
import { aUser } from '../support/factories';
import { holdRowLock, waitForLockWaits } from '../support/locks';
import { recordSecretsIn } from '../support/log-scan';
import { startTestApp, type TestApp } from '../support/test-app';

/** A registered user whose audit entry is already linked into the chain (the head moved). */
async function aLinkedUser(app: TestApp): Promise<void> {
  await aUser(app);
  await linkAudit(app);
}

/**
 * Signed audit checkpoints: kept outside the database, they catch a chain rewritten consistently
 * inside it (every hash recomputed, the head moved), which the chain alone cannot.
 */

interface Checkpoint {
  format: string;
  sequence: number;
  hash: string;
  time: string;
  algorithm: string;
  keyId: string;
  signature: string;
  publicKey: JsonWebKey;
}

/** The signed bytes, built from the documented recipe alone, as a third party would. */
const signedBytes = (c: Pick<Checkpoint, 'hash' | 'sequence' | 'time'>) =>
  Buffer.from(
    `{"format":"elcorp-audit-checkpoint/v1","hash":"${c.hash}","sequence":${c.sequence},"time":"${c.time}"}`,
    'utf8',
  );

const dir = mkdtempSync(join(tmpdir(), 'elcorp-checkpoint-'));
/** Saves a checkpoint as a keeper would, returning the file's path. */
function keep(checkpoint: unknown): string {
  const file = join(dir, `${randomUUID()}.json`);
  writeFileSync(file, typeof checkpoint === 'string' ? checkpoint : JSON.stringify(checkpoint, null, 2));
  return file;
}

/** Each operator command is a process of its own (a few seconds under load): room for several. */
const COMMANDS_TIMEOUT_MS = 120_000;

const verifyAgainst = (app: TestApp, file: string) =>
  runOperatorCommand(app, 'audit-verify', ['--against', file]);

/** A command's own lines, without the runtime's warnings (`(node:…) …Warning`). */
const ownLines = (output: string) =>
  output.split('\n').filter((line) => line && !/^\(node:\d+\)|^\(Use `node/.test(line));

function signNowByCommand(app: TestApp): Checkpoint {
  const cli = runOperatorCommand(app, 'audit-checkpoint');
  expect(cli.stderr).toMatch(/signed the audit chain head at sequence \d+/);
  expect(cli.status).toBe(0);
  return JSON.parse(cli.stdout);
}

async function head(app: TestApp): Promise<{ sequence: number; hash: string }> {
  const [row] = await app.orm.em
    .getConnection()
    .execute<{ sequence: number; hash: string }[]>(
      'select sequence::int as sequence, hash from audit_head where id = 1',
    );
  return row;
}

const rowCount = async (app: TestApp, table: string): Promise<number> =>
  (await app.orm.em.getConnection().execute(`select count(*)::int as n from ${table}`))[0].n;

/**
 * What someone with the database's rights (but not the checkpoint key) can do: change the entry
 * at `from`, recompute every hash after it with the chain's public recipe, and move the head, so
 * that the chain verifies on its own.
 */
async function rewriteChainFrom(app: TestApp, from: number): Promise<void> {
  const rows = await app.orm.em
    .getConnection()
    .execute<LinkedRow[]>('select * from audit_log where sequence >= ? order by sequence', [from]);
  let previous: string = rows[0].previous_hash;
  const values: unknown[] = [];
  for (const row of rows) {
    const data = row.sequence === String(from) ? '{"reason":"nothing happened here"}' : row.data;
    const hash = chainHash(previous, chainedFields({ ...row, data }, row.sequence));
    values.push(row.sequence, data, previous, hash);
    previous = hash;
  }
  await tamper(
    app,
    `update audit_log a set data = v.data, previous_hash = v.previous_hash, hash = v.hash
       from (values ${rows.map(() => '(?::bigint, ?, ?, ?)').join(', ')}) v(sequence, data, previous_hash, hash)
      where a.sequence = v.sequence`,
    values,
  );
  await app.orm.em
    .getConnection()
    .execute('update audit_head set sequence = ?, hash = ? where id = 1', [
      rows[rows.length - 1].sequence,
      previous,
    ]);
}

describe('signed audit checkpoints', () => {
  it(
    'a kept checkpoint verifies while the chain grows, and catches a consistent rewrite inside the database',
    async () => {
      const app = await startTestApp();
      try {
        for (let i = 0; i < 3; i++) await aLinkedUser(app);
        const checkpoint = signNowByCommand(app);
        expect(checkpoint).toMatchObject({
          format: 'elcorp-audit-checkpoint/v1',
          algorithm: 'Ed25519',
          ...(await head(app)),
          publicKey: { kty: 'OKP', crv: 'Ed25519', kid: checkpoint.keyId },
        });
        expect(checkpoint.publicKey).not.toHaveProperty('d');
        const file = keep(checkpoint);

        for (let i = 0; i < 2; i++) await aLinkedUser(app);
        const intact = verifyAgainst(app, file);
        expect(intact.status).toBe(0);
        expect(intact.stdout).toMatch(
          new RegExp(
            `intact \\(full chain\\): \\d+ entries .*extends the checkpoint at sequence ${checkpoint.sequence} `,
          ),
        );

        await rewriteChainFrom(app, 2);
        // The rewrite is consistent: the chain alone cannot tell.
        expect(await verifyChain(app.orm.em.fork())).toMatchObject({ valid: true });

        const caught = verifyAgainst(app, file);
        expect(caught.status).toBe(4);
        expect(ownLines(caught.stderr)).toEqual([
          `audit chain DOES NOT EXTEND the checkpoint at sequence ${checkpoint.sequence} of ${checkpoint.time}: ` +
            `the entry at sequence ${checkpoint.sequence} no longer has the checkpoint's hash (the chain was rewritten at or before it)`,
        ]);

        // The service will not vouch for the rewritten chain either.
        const refused = runOperatorCommand(app, 'audit-checkpoint');
        expect(refused.status).toBe(1);
        expect(refused.stdout).toBe('');
        expect(refused.stderr).toContain(
          `the chain no longer extends the signed checkpoint at sequence ${checkpoint.sequence}`,
        );
        await expect(app.service.auditCheckpoints.signIfMoved()).rejects.toMatchObject({
          name: 'CheckpointRefusedError',
        });

        // Removing what the service signed does not help: the kept copy still says otherwise.
        await app.orm.em.getConnection().transactional(async (trx) => {
          const conn = app.orm.em.getConnection();
          await conn.execute('alter table signed_audit_checkpoints disable trigger user', [], 'run', trx);
          await conn.execute('delete from signed_audit_checkpoints', [], 'run', trx);
          await conn.execute('alter table signed_audit_checkpoints enable trigger user', [], 'run', trx);
        });
        expect(verifyAgainst(app, file).status).toBe(4);
      } finally {
        await app.close();
      }
    },
    COMMANDS_TIMEOUT_MS,
  );

  it(
    'catches a removed tail and an edited entry against a kept checkpoint',
    async () => {
      const app = await startTestApp();
      try {
        for (let i = 0; i < 3; i++) await aLinkedUser(app);
        const checkpoint = await app.service.auditCheckpoints.signNow();
        const em = () => app.orm.em.fork();
        await tamper(app, `update audit_log set data = '{"forged":true}' where sequence = 2`);
        expect(await verifyAgainstCheckpoint(em(), checkpoint)).toMatchObject({
          outcome: 'chain-broken',
          chain: { firstBrokenSequence: 2 },
        });
        const broken = verifyAgainst(app, keep(checkpoint));
        expect(broken.status).toBe(3);
        expect(broken.stderr).toContain('audit chain BROKEN at sequence 2');

        await tamper(app, 'delete from audit_log where sequence >= ?', [checkpoint.sequence]);
        expect(await verifyAgainstCheckpoint(em(), checkpoint)).toMatchObject({
          outcome: 'not-extended',
          reason: expect.stringContaining(`no entry at the checkpoint's sequence ${checkpoint.sequence}`),
        });
      } finally {
        await app.close();
      }
    },
    COMMANDS_TIMEOUT_MS,
  );

  it(
    'refuses a kept checkpoint whose hash, sequence, time or signature was changed',
    async () => {
      const app = await startTestApp();
      try {
        for (let i = 0; i < 3; i++) await aLinkedUser(app);
        const checkpoint = await app.service.auditCheckpoints.signNow();
        const [other] = await app.orm.em
          .getConnection()
          .execute('select sequence::int as sequence, hash from audit_log where sequence = 2');
        const flipped = (s: string, at: number) =>
          s.slice(0, at) + (s[at] === 'A' ? 'B' : 'A') + s.slice(at + 1);
        const forgeries = {
          hash: { ...checkpoint, hash: other.hash },
          sequence: { ...checkpoint, sequence: other.sequence },
          both: { ...checkpoint, sequence: other.sequence, hash: other.hash },
          time: { ...checkpoint, time: new Date(Date.parse(checkpoint.time) + 1).toISOString() },
          signature: { ...checkpoint, signature: flipped(checkpoint.signature, 20) },
        };
        for (const forged of Object.values(forgeries))
          expect(await verifyAgainstCheckpoint(app.orm.em.fork(), forged)).toMatchObject({
            outcome: 'not-genuine',
            reason: expect.stringContaining('bad signature'),
          });
        for (const [value, problem] of [
          [{ ...checkpoint, time: 'yesterday' }, 'time is not'],
          [{ ...checkpoint, signature: `${checkpoint.signature}A` }, 'signature is not'],
          [{ ...checkpoint, format: 'something-else/v1' }, 'format is not'],
          [[checkpoint], 'not a JSON object'],
        ] as const)
          expect(await verifyAgainstCheckpoint(app.orm.em.fork(), value)).toMatchObject({
            outcome: 'not-genuine',
            reason: expect.stringContaining(problem),
          });

        const cli = verifyAgainst(app, keep(forgeries.both));
        expect(cli.status).toBe(5);
        expect(ownLines(cli.stderr)).toEqual([
          'checkpoint NOT GENUINE: bad signature: the checkpoint was altered or not signed by this service',
        ]);
        expect(verifyAgainst(app, keep('{"sequence": 3')).status).toBe(5);
        expect(verifyAgainst(app, keep(checkpoint)).status).toBe(0);
      } finally {
        await app.close();
      }
    },
    COMMANDS_TIMEOUT_MS,
  );

  it(
    'refuses a checkpoint signed by a key the service does not have',
    async () => {
      const app = await startTestApp();
      try {
        await aLinkedUser(app);
        const genuine = await app.service.auditCheckpoints.signNow();
        const { publicKey, privateKey } = generateKeyPairSync('ed25519');
        const foreignJwk = publicKey.export({ format: 'jwk' });
        const claim = { sequence: genuine.sequence, hash: genuine.hash, time: new Date().toISOString() };
        const foreign = {
          format: 'elcorp-audit-checkpoint/v1',
          ...claim,
          algorithm: 'Ed25519',
          signature: sign(null, signedBytes(claim), privateKey).toString('base64url'),
        };
        const unknownKid = verifyAgainst(
          app,
          keep({ ...foreign, keyId: randomUUID(), publicKey: foreignJwk }),
        );
        expect(unknownKid.status).toBe(5);
        expect(unknownKid.stderr).toMatch(/NOT GENUINE: key [\w-]+ is not a checkpoint key of this service/);

        // Our key id, with the foreign public key beside it or with ours: neither verifies.
        expect(
          await verifyAgainstCheckpoint(app.orm.em.fork(), {
            ...foreign,
            keyId: genuine.keyId,
            publicKey: foreignJwk,
          }),
        ).toMatchObject({
          outcome: 'not-genuine',
          reason: expect.stringContaining("is not this service's key"),
        });
        const passedOff = verifyAgainst(
          app,
          keep({ ...foreign, keyId: genuine.keyId, publicKey: genuine.publicKey }),
        );
        expect(passedOff.status).toBe(5);
        expect(passedOff.stderr).toContain('bad signature');
      } finally {
        await app.close();
      }
    },
    COMMANDS_TIMEOUT_MS,
  );

  it(
    'publishes the latest checkpoint, which verifies with the published key and node:crypto or WebCrypto alone',
    async () => {
      const app = await startTestApp();
      try {
        const none = await fetch(`${app.baseUrl}/.well-known/audit-checkpoint`);
        expect(none.status).toBe(404);
        expect(none.headers.get('cache-control')).toBe('no-store');
        expect(
          ((await none.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code,
        ).toBe('NOT_FOUND');

        await aLinkedUser(app);
        const first = await app.service.auditCheckpoints.signNow();
        await aLinkedUser(app);
        const second = await app.service.auditCheckpoints.signNow();
        expect(second.sequence).toBeGreaterThan(first.sequence);

        const res = await fetch(`${app.baseUrl}/.well-known/audit-checkpoint`);
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toMatch(/^application\/json/);
        expect(res.headers.get('cache-control')).toBe('public, max-age=60');
        const body = await res.text();
        const published: Checkpoint = JSON.parse(body);
        expect(published).toEqual(second);

        // The third party's check: the key it pinned, the bytes from the recipe, the standard verifiers.
        const { keys } = (await (await fetch(`${app.baseUrl}/.well-known/audit-checkpoint-keys`)).json()) as {
          keys: JsonWebKey[];
        };
        expect(keys).toEqual([published.publicKey]);
        const signature = Buffer.from(published.signature, 'base64url');
        const pinned = createPublicKey({ key: keys[0], format: 'jwk' });
        expect(verify(null, signedBytes(published), pinned, signature)).toBe(true);
        const webKey = await webcrypto.subtle.importKey('jwk', keys[0], 'Ed25519', false, ['verify']);
        expect(await webcrypto.subtle.verify('Ed25519', webKey, signature, signedBytes(published))).toBe(
          true,
        );
        expect(await importJWK(keys[0], 'EdDSA')).toBeTruthy();
        expect(verify(null, signedBytes({ ...published, sequence: first.sequence }), pinned, signature)).toBe(
          false,
        );

        // Revalidation, and the body saved as it is verifies from the command line.
        const etag = res.headers.get('etag') ?? '';
        const again = await fetch(`${app.baseUrl}/.well-known/audit-checkpoint`, {
          headers: { 'if-none-match': etag },
        });
        expect(again.status).toBe(304);
        expect(verifyAgainst(app, keep(body)).status).toBe(0);

        // The checkpoint key signs no token: it is not among the access-token keys.
        const jwks = (await (await fetch(`${app.baseUrl}/.well-known/jwks.json`)).json()) as {
          keys: JsonWebKey[];
        };
        expect(jwks.keys.map((k) => k.kid)).not.toContain(published.keyId);
        expect(jwks.keys.map((k) => k.x)).not.toContain(published.publicKey.x);
      } finally {
        await app.close();
      }
    },
    COMMANDS_TIMEOUT_MS,
  );

  it('makes one key however many instances sign at once, and never changes or removes what it signed', async () => {
    const app = await startTestApp();
    const other = await startTestApp({ databaseUrl: app.databaseUrl });
    try {
      await aLinkedUser(app);
      // Every signer is held up at the key table, then all are let go at once.
      const holder = await holdRowLock(
        app.databaseUrl,
        'lock table audit_checkpoint_keys in access exclusive mode',
        [],
      );
      const signing = Promise.all(
        Array.from({ length: 6 }, (_, i) => (i % 2 ? other : app).service.auditCheckpoints.signNow()),
      );
      await waitForLockWaits(holder.client, 'select', 6);
      await holder.release();
      const signed = await signing;
      expect(await rowCount(app, 'audit_checkpoint_keys')).toBe(1);
      expect(new Set(signed.map((c) => c.keyId)).size).toBe(1);
      expect(await rowCount(app, 'signed_audit_checkpoints')).toBe(6);

      const conn = app.orm.em.getConnection();
      await expect(
        conn.execute(`update signed_audit_checkpoints set hash = repeat('0', 64)`),
      ).rejects.toThrow(/append-only/);
      await expect(conn.execute('delete from signed_audit_checkpoints')).rejects.toThrow(/append-only/);
      await expect(conn.execute('truncate signed_audit_checkpoints')).rejects.toThrow(/append-only/);
      await expect(conn.execute('delete from audit_checkpoint_keys')).rejects.toThrow(
        /keep their public keys/,
      );
      await expect(conn.execute(`update audit_checkpoint_keys set public_jwk = '{}'`)).rejects.toThrow(
        /keep their public keys/,
      );
    } finally {
      await other.close();
      await app.close();
    }
  });

  it(
    'is a schedule of the cluster that signs when the head moved and skips when it did not',
    async () => {
      const lines: string[] = [];
      // Registered for the cluster, but never due during the test: its occurrences are sent below.
      const app = await startTestApp({
        logLines: lines,
        env: { AUDIT_CHECKPOINT_CRON: '0 0 1 1 *' },
        jobTuning: { pollingIntervalSeconds: 0.5 },
      });
      const boss = new PgBoss({
        connectionString: app.databaseUrl,
        schema: 'pgboss',
        supervise: false,
        schedule: false,
        migrate: false,
        registerInstance: false,
        openTelemetry: { enabled: false },
      });
      await boss.start();
      try {
        const schedules = await app.service.jobs.schedules();
        expect(schedules.filter((s) => s.name === 'audit-checkpoint').map((s) => s.cron)).toEqual([
          '0 0 1 1 *',
        ]);

        /** One occurrence, as the scheduler sends it, worked by the app's worker: its logged result. */
        let runs = 0;
        const occurrence = async (): Promise<{ signed: number; sequence: number }> => {
          runs += 1;
          await boss.send('audit-checkpoint', null);
          const deadline = Date.now() + 20_000;
          for (;;) {
            const done = lines.filter(
              (l) => l.includes('"job done"') && l.includes('"queue":"audit-checkpoint"'),
            );
            if (done.length === runs) return JSON.parse(done[runs - 1]).result;
            if (Date.now() > deadline) throw new Error('the audit-checkpoint job did not run');
            await new Promise((r) => setTimeout(r, 50));
          }
        };

        expect(await occurrence()).toEqual({ signed: 0, sequence: 0 });
        expect(await rowCount(app, 'signed_audit_checkpoints')).toBe(0);
        await aLinkedUser(app);
        const moved = await head(app);
        expect(await occurrence()).toEqual({ signed: 1, sequence: moved.sequence });
        expect(await occurrence()).toEqual({ signed: 0, sequence: moved.sequence });
        expect(await rowCount(app, 'signed_audit_checkpoints')).toBe(1);
        await aLinkedUser(app);
        expect(await occurrence()).toEqual({ signed: 1, sequence: (await head(app)).sequence });
        expect(await rowCount(app, 'signed_audit_checkpoints')).toBe(2);

        // An instance started with AUDIT_CHECKPOINT_CRON=off takes the schedule off the cluster.
        const off = await startTestApp({
          databaseUrl: app.databaseUrl,
          env: { AUDIT_CHECKPOINT_CRON: 'off' },
        });
        await off.close();
        expect((await app.service.jobs.schedules()).map((s) => s.name)).not.toContain('audit-checkpoint');
      } finally {
        await boss.stop({ graceful: false, close: true });
        await app.close();
      }
    },
    COMMANDS_TIMEOUT_MS,
  );

  it(
    'never shows the private key: not in a response, a command output or a log line',
    async () => {
      const lines: string[] = [];
      const app = await startTestApp({ logLines: lines });
      try {
        await aLinkedUser(app);
        const cli = runOperatorCommand(app, 'audit-checkpoint');
        const [row] = await app.orm.em
          .getConnection()
          .execute('select private_jwk_ciphertext from audit_checkpoint_keys');
        const encryption = createFieldEncryption(app.config.fieldEncryptionKeys);
        const privateJwk = JSON.parse(
          encryption.decrypt(row.private_jwk_ciphertext, 'audit_checkpoint_keys.private_jwk'),
        );
        expect(privateJwk.d).toMatch(/^[\w-]{43}$/);
        // The suite-wide log scan looks for it in every line of every test too.
        recordSecretsIn({ secret: privateJwk.d });

        await app.service.auditCheckpoints.signNow();
        const answers = await Promise.all(
          ['audit-checkpoint', 'audit-checkpoint-keys', 'jwks.json'].map(async (path) =>
            (await fetch(`${app.baseUrl}/.well-known/${path}`)).text(),
          ),
        );
        const verified = verifyAgainst(app, keep(cli.stdout));
        expect(verified.status).toBe(0);
        for (const text of [...answers, cli.stdout, cli.stderr, verified.stdout, verified.stderr, ...lines]) {
          expect(text).not.toContain(privateJwk.d);
          expect(text).not.toContain(row.private_jwk_ciphertext);
        }
      } finally {
        await app.close();
      }
    },
    COMMANDS_TIMEOUT_MS,
  );
});
