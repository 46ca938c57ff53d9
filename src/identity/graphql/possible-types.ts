import { type GraphQLSchema, isAbstractType } from 'graphql';
import { buildAppSchema } from './schema.js';

/**
 * What Apollo Client's `possibleTypes` option needs: each union and interface of the schema with
 * the object types that can stand in its place, names sorted, so that the output is deterministic.
 */
export function possibleTypesOf(schema: GraphQLSchema): Record<string, string[]> {
  const abstractTypes = Object.values(schema.getTypeMap())
    .filter(isAbstractType)
    .filter((type) => !type.name.startsWith('__'))
    .sort((a, b) => compare(a.name, b.name));
  return Object.fromEntries(
    abstractTypes.map((type) => [
      type.name,
      schema
        .getPossibleTypes(type)
        .map((t) => t.name)
        .sort(compare),
    ]),
  );
}

/** The JSON committed as schema/possible-types.json, ending with a newline. */
export async function printPossibleTypes(): Promise<string> {
  return `${JSON.stringify(possibleTypesOf(await buildAppSchema()), null, 2)}\n`;
}

/** By code unit, as lexicographicSortSchema orders the SDL: independent of the locale. */
const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
