import { migrateUp } from '../src/adapters/database/orm.js';
import { runCommand, withOrm } from './with-orm.js';

runCommand(() =>
  withOrm(async (orm) => {
    const applied = await migrateUp(orm);
    console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
    return 0;
  }),
);
