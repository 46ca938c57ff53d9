import { mkdirSync, writeFileSync } from 'node:fs';
import { printPossibleTypes } from '../src/identity/graphql/possible-types.js';
import { printAppSchema } from '../src/identity/graphql/schema.js';
import { runCommand } from './with-orm.js';

/**
 * Writes schema/schema.graphql and schema/possible-types.json (Apollo Client's `possibleTypes`)
 * from the code. A test fails while either committed file differs.
 */
runCommand(async () => {
  mkdirSync('schema', { recursive: true });
  writeFileSync('schema/schema.graphql', await printAppSchema());
  console.log('wrote schema/schema.graphql');
  writeFileSync('schema/possible-types.json', await printPossibleTypes());
  console.log('wrote schema/possible-types.json');
  return 0;
});
