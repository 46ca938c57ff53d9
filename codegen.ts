import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Typed documents for the operations the tests send, generated from the
 * committed schema. Clients of the API can point the same preset at schema/schema.graphql.
 */
const config: CodegenConfig = {
  schema: 'schema/schema.graphql',
  documents: ['tests/**/*.ts', '!tests/gql/**'],
  generates: {
    'tests/gql/': {
      preset: 'client',
      config: {
        scalars: { DateTime: 'string', JSONObject: 'Record<string, unknown>' },
        enumsAsTypes: true,
        useTypeImports: true,
      },
      presetConfig: { fragmentMasking: false },
    },
  },
  silent: true,
};

export default config;
