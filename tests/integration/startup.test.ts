import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase } from '../support/database';
import { startTestApp } from '../support/test-app';

/** `npm start` in production on this database and port, until it exits: its status and output. */
async function startUntilExit(databaseUrl: string, port: number, env: Record<string, string> = {}) {
  const root = join(__dirname, '..', '..');
  const child = spawn(process.execPath, [join(root, 'scripts', 'run.cjs'), 'src/main'], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      DATABASE_URL: databaseUrl,
      FIELD_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
      PASSWORD_PEPPER: randomBytes(32).toString('base64'),
      PUBLIC_WEB_URL: 'https://account.start.example',
      PORT: String(port),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let errors = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    errors += chunk.toString();
  });
  const status = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { status, output, errors };
}

describe('npm start in production', () => {
  it('exits non-zero without its secrets, naming each one', () => {
    const root = join(__dirname, '..', '..');
    const result = spawnSync(process.execPath, [join(root, 'scripts', 'run.cjs'), 'src/main'], {
      cwd: mkdtempSync(join(tmpdir(), 'elcorp-start-')),
      env: { PATH: process.env.PATH, NODE_ENV: 'production' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.status).toBe(1);
    for (const name of ['DATABASE_URL', 'FIELD_ENCRYPTION_KEYS', 'PASSWORD_PEPPER', 'PUBLIC_WEB_URL'])
      expect(result.stderr).toContain(name);
  });

  it('exits non-zero when its port is taken, saying why and never that it listens', async () => {
    const databaseUrl = await createTestDatabase();
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, resolve));
    try {
      const port = (taken.address() as { port: number }).port;
      const { status, output, errors } = await startUntilExit(databaseUrl, port, { WORKER: 'off' });
      expect(status).toBe(1);
      expect(errors).toMatch(/failed to start: .*EADDRINUSE/);
      expect(output).not.toMatch(/listening on/);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it('refuses to start while a migration the code knows is not applied, naming it', async () => {
    const app = await startTestApp();
    try {
      const sql = app.orm.em.getConnection();
      const [last]: { name: string }[] = await sql.execute(
        'select name from mikro_orm_migrations order by name desc limit 1',
      );
      await sql.execute('delete from mikro_orm_migrations where name = ?', [last.name]);
      const { status, output } = await startUntilExit(app.databaseUrl, 0);
      expect(status).toBe(1);
      const refusal = output
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { msg: string; pending?: string[] })
        .find((entry) => entry.msg.startsWith('migrations pending'));
      expect(refusal?.pending).toEqual([last.name]);
    } finally {
      await app.close();
    }
  });
});
