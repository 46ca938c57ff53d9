import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../support/ports';

const root = join(__dirname, '..', '..');

/** `npm start` as a newcomer runs it: development, no DATABASE_URL, data under DATA_DIR. */
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});

function startService(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, [join(root, 'scripts', 'run.cjs'), 'src/main'], {
    cwd: root,
    env: { PATH: process.env.PATH, NODE_ENV: 'development', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`service did not start:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('listening on')) {
        clearTimeout(timer);
        resolve(child);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', () => reject(new Error(`service exited:\n${output}`)));
  });
}

const postmasterPid = (dataDir: string) => {
  const file = join(dataDir, 'postgres', 'postmaster.pid');
  return existsSync(file) ? Number(readFileSync(file, 'utf8').split('\n')[0]) : undefined;
};
/** Running, and not a zombie (an orphan's exit may not be reaped in a container). */
const alive = (pid?: number) => {
  const status = pid ? `/proc/${pid}/status` : '';
  return !!pid && existsSync(status) && !/^State:\s+Z/m.test(readFileSync(status, 'utf8'));
};

describe('npm start with the embedded PostgreSQL', () => {
  it('recovers from a killed process, serves /readyz, and stops the database on SIGTERM', async () => {
    const dataDir = mkdtempSync(join(root, '.data', 'start-'));
    chmodSync(dataDir, 0o755); // the postgres user must be able to traverse it
    const env = {
      DATA_DIR: dataDir,
      PORT: String(await freePort()),
      EMBEDDED_PG_PORT: String(await freePort()),
    };
    try {
      const first = await startService(env);
      const orphan = postmasterPid(dataDir);
      first.kill('SIGKILL');
      await new Promise((r) => first.once('exit', r));
      expect(alive(orphan)).toBe(true); // what an unclean exit leaves behind

      const second = await startService(env);
      expect(alive(orphan)).toBe(false);
      const ready = await fetch(`http://127.0.0.1:${env.PORT}/readyz`);
      expect(ready.status).toBe(200);
      const exited = new Promise<number | null>((r) => second.once('exit', (code) => r(code)));
      second.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(alive(postmasterPid(dataDir))).toBe(false);
    } finally {
      const pid = postmasterPid(dataDir);
      if (alive(pid)) process.kill(pid as number, 'SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
