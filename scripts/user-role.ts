import { ADMIN_CHANGES_LOCK_ID } from '../src/identity/application/use-cases/administer-user.js';
import { Role } from '../src/identity/domain/enums.js';
import { User } from '../src/identity/domain/user.entity.js';
import { createAuditTrail } from '../src/identity/persistence/audit-chain.js';
import { createUnitOfWork } from '../src/identity/persistence/unit-of-work.js';
import { findUserByIdentifier } from '../src/identity/persistence/user-lookup.js';
import { systemClock } from '../src/kernel/clock.js';
import { runCommand, withOrm } from './with-orm.js';

/**
 * `npm run user:role -- <email-or-username> <USER|ADMIN>`: sets a user's role
 * directly in the database (this is how the first admin is made). The change
 * is audited like an admin's, with no actor and request id "cli".
 */
runCommand(async () => {
  const [identifier, roleText] = process.argv.slice(2);
  const role = Object.values(Role).find((r) => r === roleText?.toUpperCase());
  if (!identifier || !role) {
    console.error('usage: npm run user:role -- <email-or-username> <USER|ADMIN>');
    return 2;
  }
  return withOrm(async (orm, config) => {
    const em = orm.em.fork();
    const found = await findUserByIdentifier(em, identifier);
    if (!found || found.isDeleted) {
      console.error(`no user "${identifier}"`);
      return 1;
    }
    const inTransaction = createUnitOfWork(
      createAuditTrail({ clock: systemClock, enabled: config.auditLogEnabled }),
    );
    await inTransaction(em, { meta: { requestId: 'cli', ip: '' } }, async (tx) => {
      // One at a time with admins' own changes of roles and status (and deletions), which check
      // under this lock that an active admin remains.
      await tx.execute('select pg_advisory_xact_lock(?)', [ADMIN_CHANGES_LOCK_ID]);
      (await tx.findOneOrFail(User, found.id)).setRole(role);
    });
    console.log(`${found.username} is now ${role}`);
    return 0;
  });
});
