import { Role } from '../src/identity/enums.js';
import { findUserByIdentifier } from '../src/identity/user-lookup.js';
import { runCommand, withOrm } from './with-orm.js';

/**
 * `npm run user:role -- <email-or-username> <USER|ADMIN>`: sets a user's role
 * directly in the database. This is how the first admin is made.
 */
runCommand(async () => {
  const [identifier, roleText] = process.argv.slice(2);
  const role = Object.values(Role).find((r) => r === roleText?.toUpperCase());
  if (!identifier || !role) {
    console.error('usage: npm run user:role -- <email-or-username> <USER|ADMIN>');
    return 2;
  }
  return withOrm(async (orm) => {
    const em = orm.em.fork();
    const user = await findUserByIdentifier(em, identifier);
    if (!user || user.isDeleted) {
      console.error(`no user "${identifier}"`);
      return 1;
    }
    user.setRole(role);
    await em.flush();
    console.log(`${user.username} is now ${role}`);
    return 0;
  });
});
