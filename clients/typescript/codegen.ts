import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Typed documents for the operations in operations/*.graphql, over the checked-in schema.graphql.
 * `npm run clients:generate` writes generated/; `npm run clients:check` fails when it is stale.
 * Offline: both inputs are local files.
 */
const config: CodegenConfig = {
  schema: 'schema.graphql',
  documents: ['clients/typescript/operations/**/*.graphql'],
  ignoreNoDocuments: false,
  generates: {
    'clients/typescript/generated/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false, gqlTagName: 'graphql' },
      config: {
        enumsAsTypes: true,
        useTypeImports: true,
        avoidOptionals: { field: true, inputValue: false, object: true, defaultValue: false },
        scalars: { DateTimeISO: 'string', SafeInt: 'number', JSON: 'unknown' },
        documentMode: 'documentNode',
      },
    },
  },
};

export default config;
