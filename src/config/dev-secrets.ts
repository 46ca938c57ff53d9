import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface DevelopmentSecrets {
  fieldEncryptionKeys: string;
  passwordPepper: string;
}

/**
 * The bytes of every development secret (each field-encryption key, whatever its id, and the
 * pepper), decoded as the configuration decodes a secret: so a production value is recognised
 * however its base64 is spelled (with or without padding, base64url or base64).
 */
export function developmentSecretBytes(secrets: DevelopmentSecrets): Buffer[] {
  const keys = String(secrets.fieldEncryptionKeys ?? '')
    .split(',')
    .map((entry) => entry.trim().split(':')[1] ?? '');
  return [...keys, String(secrets.passwordPepper ?? '')]
    .map((text) => Buffer.from(text, 'base64'))
    .filter((bytes) => bytes.length > 0);
}

/**
 * Secrets for development and test, generated once and kept in
 * `<dataDir>/secrets.json` so that tokens and encrypted fields survive restarts.
 * The key id starts with "dev", which production refuses.
 */
export function loadDevelopmentSecrets(
  dataDir: string,
  opts = { create: true },
): DevelopmentSecrets | undefined {
  const file = join(dataDir, 'secrets.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as DevelopmentSecrets;
  if (!opts.create) return undefined;
  const secrets: DevelopmentSecrets = {
    fieldEncryptionKeys: `dev1:${randomBytes(32).toString('base64')}`,
    passwordPepper: randomBytes(32).toString('base64'),
  };
  mkdirSync(dataDir, { recursive: true });
  try {
    writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    return secrets;
  } catch (err) {
    // Another process created it first: use theirs.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return loadDevelopmentSecrets(dataDir, opts);
    throw err;
  }
}
