import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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
});
