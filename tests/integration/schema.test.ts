import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSchema, type GraphQLSchema, isEnumType } from 'graphql';
import { possibleTypesOf, printPossibleTypes } from '../../src/identity/graphql/possible-types';
import { buildAppSchema, printAppSchema } from '../../src/identity/graphql/schema';
import { ErrorCode, RequestErrorCode, UnauthenticatedReason } from '../../src/kernel/errors';

const committedFile = (name: string) => readFileSync(join(__dirname, '..', '..', 'schema', name), 'utf8');

/** The sorted values of an enum of a schema. */
const enumOf = (schema: GraphQLSchema, name: string) => {
  const type = schema.getType(name);
  if (!isEnumType(type)) throw new Error(`${name} is not an enum of the schema`);
  return type
    .getValues()
    .map((v) => v.name)
    .sort();
};

describe('schema/schema.graphql', () => {
  it('is current: regenerate it with `npm run schema:emit` when this fails', async () => {
    expect(committedFile('schema.graphql')).toBe(await printAppSchema());
  });

  it('holds the error catalogue as enums, in the executable schema and the SDL alike', async () => {
    const codes = [...Object.values(ErrorCode), ...Object.values(RequestErrorCode)].sort();
    const reasons = Object.values(UnauthenticatedReason).sort();
    for (const schema of [await buildAppSchema(), buildSchema(committedFile('schema.graphql'))]) {
      expect(enumOf(schema, 'ErrorCode')).toEqual(codes);
      expect(enumOf(schema, 'UnauthenticatedReason')).toEqual(reasons);
    }
  });

  it('describes every type, field, argument and enum value', async () => {
    const sdl = await printAppSchema();
    const { isObjectType, isInputObjectType, isUnionType } = await import('graphql');
    const schema = buildSchema(sdl);
    const missing: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__')) continue;
      if (!type.description) missing.push(type.name);
      if (isObjectType(type) || isInputObjectType(type)) {
        for (const field of Object.values(type.getFields())) {
          if (!field.description) missing.push(`${type.name}.${field.name}`);
          for (const arg of 'args' in field ? field.args : []) {
            if (!arg.description) missing.push(`${type.name}.${field.name}(${arg.name})`);
          }
        }
      }
      if (isEnumType(type)) {
        for (const value of type.getValues())
          if (!value.description) missing.push(`${type.name}.${value.name}`);
      }
      if (isUnionType(type) && !type.description) missing.push(type.name);
    }
    expect(missing.filter((m) => m !== 'String' && m !== 'Boolean' && m !== 'ID' && m !== 'Int')).toEqual([]);
  });
});

describe('schema/possible-types.json', () => {
  it('is current: regenerate it with `npm run schema:emit` when this fails', async () => {
    expect(committedFile('possible-types.json')).toBe(await printPossibleTypes());
  });

  it("maps each union and interface to its object types, sorted, as Apollo Client's possibleTypes wants", async () => {
    const schema = await buildAppSchema();
    const possibleTypes = JSON.parse(committedFile('possible-types.json')) as Record<string, string[]>;
    expect(possibleTypes.LoginResult).toEqual(['AuthPayload', 'MfaChallenge']);
    expect(Object.keys(possibleTypes)).toEqual(Object.keys(possibleTypes).sort());
    for (const types of Object.values(possibleTypes)) {
      expect(types).toEqual([...types].sort());
      expect(types.length).toBeGreaterThan(0);
      for (const type of types) expect(schema.getType(type)).toBeDefined();
    }
    // Every abstract type of the schema is there, and nothing else.
    const sdl = buildSchema(committedFile('schema.graphql'));
    expect(possibleTypesOf(sdl)).toEqual(possibleTypes);
  });
});
