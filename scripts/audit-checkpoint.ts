import { createFieldEncryption } from '../src/adapters/crypto/field-encryption.js';
import { createAuditCheckpoints } from '../src/identity/persistence/audit-checkpoints.js';
import { systemClock } from '../src/kernel/clock.js';
import { runCommand, withOrm } from './with-orm.js';

/**
 * `npm run -s audit:checkpoint > checkpoint.json`: signs the audit chain's head now, stores the
 * checkpoint and prints it as JSON on stdout, to be kept outside the database.
 * `npm run audit:verify -- --against checkpoint.json` later proves the chain still extends it.
 */
runCommand(() =>
  withOrm(async (orm, config) => {
    const checkpoints = createAuditCheckpoints({
      em: orm.em,
      encryption: createFieldEncryption(config.fieldEncryptionKeys),
      clock: systemClock,
    });
    const checkpoint = await checkpoints.signNow();
    process.stdout.write(`${JSON.stringify(checkpoint, null, 2)}\n`);
    console.error(`signed the audit chain head at sequence ${checkpoint.sequence} (key ${checkpoint.keyId})`);
    return 0;
  }),
);
