import { createFieldEncryption } from '../src/adapters/crypto/field-encryption.js';
import { createSigningKeys } from '../src/adapters/tokens/signing-keys.js';
import { systemClock } from '../src/kernel/clock.js';
import { runCommand, withOrm } from './with-orm.js';

/**
 * Makes a new active signing key. The previous public key stays in JWKS until the
 * last token it signed has expired; running instances pick the new key up within 30 s.
 */
runCommand(() =>
  withOrm(async (orm, config) => {
    const keys = createSigningKeys({
      em: orm.em,
      encryption: createFieldEncryption(config.fieldEncryptionKeys),
      clock: systemClock,
      accessTokenTtlSeconds: config.jwt.accessTokenTtlSeconds,
    });
    console.log(`new signing key: ${await keys.rotate()}`);
    return 0;
  }),
);
