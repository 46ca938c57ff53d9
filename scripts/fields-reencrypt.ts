import { createFieldEncryption } from '../src/adapters/crypto/field-encryption.js';
import { reencryptFields } from '../src/identity/persistence/reencrypt-fields.js';
import { runCommand, withOrm } from './with-orm.js';

/**
 * `npm run fields:reencrypt`: after putting a new key first in
 * FIELD_ENCRYPTION_KEYS (keeping the old ones after it), rewrites every
 * encrypted column under the new key. The old keys can be removed afterwards.
 */
runCommand(() =>
  withOrm(async (orm, config) => {
    const encryption = createFieldEncryption(config.fieldEncryptionKeys);
    const counts = await reencryptFields(orm.em.fork(), encryption);
    for (const [column, n] of Object.entries(counts)) console.log(`${column}: ${n} re-encrypted`);
    console.log(`all encrypted fields are under key ${config.fieldEncryptionKeys[0].id}`);
    return 0;
  }),
);
