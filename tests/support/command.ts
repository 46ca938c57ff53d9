import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { TestApp } from './test-app';

const root = join(__dirname, '..', '..');

/**
 * What another process needs to act on the test app's database as the app does: its database and
 * the same secrets, so that tokens and encrypted columns agree.
 */
export const processEnvOf = (app: TestApp): Record<string, string> => ({
  DATABASE_URL: app.databaseUrl,
  FIELD_ENCRYPTION_KEYS: app.config.fieldEncryptionKeys
    .map((k) => `${k.id}:${k.key.toString('base64')}`)
    .join(','),
  PASSWORD_PEPPER: app.config.passwordPepper.toString('base64'),
  BCRYPT_COST: '4',
});

/** Runs an operator command (`scripts/<name>.ts`) against the test app's database and keys, as an operator would. */
export function runOperatorCommand(
  app: TestApp,
  name: string,
  args: string[] = [],
  env: Record<string, string> = {},
) {
  return spawnSync(process.execPath, [join(root, 'scripts', 'run.cjs'), `scripts/${name}`, ...args], {
    cwd: root,
    env: { PATH: process.env.PATH, NODE_ENV: 'test', ...processEnvOf(app), ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
}
