import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Typed documents generated from the committed schema: for the operations the tests send
 * (tests/gql), and for those of the account console (web/src/gql). Clients of the API can point
 * the same preset at schema/schema.graphql.
 */
const config: CodegenConfig = {
  schema: 'schema/schema.graphql',
  generates: {
    'tests/gql/': {
      documents: ['tests/**/*.ts', '!tests/gql/**'],
      preset: 'client',
      config: { scalars: { DateTime: 'string' }, enumsAsTypes: true, useTypeImports: true },
      presetConfig: { fragmentMasking: false },
    },
    'web/src/gql/': {
      documents: ['web/src/**/*.{ts,tsx}', '!web/src/gql/**'],
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
