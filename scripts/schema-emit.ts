import { mkdirSync, writeFileSync } from 'node:fs';
import { printAppSchema } from '../src/identity/graphql/schema.js';
import { runCommand } from './with-orm.js';

/** Writes schema/schema.graphql from the code. A test fails while the committed file differs. */
runCommand(async () => {
  mkdirSync('schema', { recursive: true });
  writeFileSync('schema/schema.graphql', await printAppSchema());
  console.log('wrote schema/schema.graphql');
  return 0;
});
