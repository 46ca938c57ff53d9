import { createHmac, createSecretKey, randomBytes, randomInt } from 'node:crypto';
import { base32 } from '@scure/base';
import { Secret, TOTP } from 'otpauth';

export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** Codes from one step before or after the current one are accepted (clock drift). */
export const TOTP_WINDOW = 1;
export const TOTP_ISSUER = 'elcorp';
export const RECOVERY_CODE_COUNT = 10;
export const SMS_CODE_TTL_SECONDS = 300;
/** The contexts bound into the ciphertexts of the active and the pending TOTP secret. */
export const TOTP_SECRET_CONTEXT = 'users.mfa_secret';
export const TOTP_PENDING_SECRET_CONTEXT = 'users.totp_pending_secret';

/** A new TOTP secret: 160 random bits, base32 (what authenticator apps expect). */
export const newTotpSecret = () => new Secret({ size: 20 }).base32;

const totpFor = (secret: string, label = '') =>
  new TOTP({
    issuer: TOTP_ISSUER,
    label,
    algorithm: 'SHA1',
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_SECONDS,
    secret: Secret.fromBase32(secret),
  });

export const totpUri = (secret: string, email: string) => totpFor(secret, email).toString();

/** The time step a code belongs to (RFC 6238, ±1 step), or undefined when it matches none. */
export function totpStep(secret: string, code: string, now: Date): number | undefined {
  if (!/^\d{6}$/.test(code)) return undefined;
  const delta = totpFor(secret).validate({ token: code, timestamp: now.getTime(), window: TOTP_WINDOW });
  if (delta === null) return undefined;
  return Math.floor(now.getTime() / 1000 / TOTP_PERIOD_SECONDS) + delta;
}

/** For tests and tools: the code of a secret at a time. */
export const totpCode = (secret: string, at: Date) => totpFor(secret).generate({ timestamp: at.getTime() });

/** A six-digit SMS code, uniformly random. */
export const newSmsCode = () => randomInt(0, 1_000_000).toString().padStart(6, '0');

/** A recovery code: 80 random bits as 16 base32 characters in groups of four. */
export const newRecoveryCode = () => base32.encode(randomBytes(10)).match(/.{4}/g)?.join('-') as string;

/** Codes are stored as HMAC-SHA-256 under the server pepper: a database dump alone cannot test guesses. */
export function createCodeHasher(pepper: Buffer) {
  // Imported once, as the password hasher does: keyed with raw bytes, every HMAC imports them again.
  const key = createSecretKey(pepper);
  return (purpose: string, code: string) =>
    createHmac('sha256', key)
      .update(`${purpose}:${code.replace(/[\s-]/g, '').toUpperCase()}`)
      .digest('hex');
}

export type CodeHasher = ReturnType<typeof createCodeHasher>;
