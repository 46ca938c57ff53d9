import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { printAppSchema } from '../../src/identity/graphql/schema';

describe('schema/schema.graphql', () => {
  it('is current: regenerate it with `npm run schema:emit` when this fails', async () => {
    const committed = readFileSync(join(__dirname, '..', '..', 'schema', 'schema.graphql'), 'utf8');
    expect(committed).toBe(await printAppSchema());
  });

  it('describes every type, field, argument and enum value', async () => {
    const sdl = await printAppSchema();
    const { buildSchema, isObjectType, isInputObjectType, isEnumType, isUnionType } = await import('graphql');
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
