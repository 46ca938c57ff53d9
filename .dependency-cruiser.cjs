/**
 * The dependency rules of src/, checked by `npm run depcheck` (part of `npm test`).
 *
 * First-level folders are layers, each importing only those below it:
 *   kernel → config → adapters → identity → http → the root files (main.ts, composition-root.ts)
 * Inside the identity context: domain → persistence → application → graphql, where the domain
 * knows no database driver, GraphQL or HTTP, and the GraphQL edge reaches data only through the
 * application.
 */
const ROOT_FILES = '^src/[^/]+\\.ts$';
const forbidImports = (name, comment, from, to) => ({
  name,
  comment,
  severity: 'error',
  from: { path: from },
  to,
});

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'Modules import one another in a circle.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    forbidImports('kernel-is-the-floor', 'The kernel imports nothing else of ours.', '^src/kernel/', {
      path: '^src/(?!kernel/)',
    }),
    forbidImports('config-below-adapters', 'Configuration imports only the kernel.', '^src/config/', {
      path: `^src/(adapters|identity|http)/|${ROOT_FILES}`,
    }),
    forbidImports(
      'adapters-know-no-identity',
      'Adapters to the outside know nothing of the identity context, HTTP or the composition root.',
      '^src/adapters/',
      { path: `^src/(identity|http)/|${ROOT_FILES}` },
    ),
    forbidImports(
      'identity-knows-no-http',
      'The identity context knows nothing of HTTP or the composition root.',
      '^src/identity/',
      { path: `^src/http/|${ROOT_FILES}` },
    ),
    forbidImports(
      'http-below-root',
      'The HTTP edge is composed by the root, not the other way.',
      '^src/http/',
      {
        path: ROOT_FILES,
      },
    ),
    forbidImports(
      'domain-is-pure',
      'The domain (entities, value objects, rules) imports only the kernel: no use case, SQL, adapter or edge.',
      '^src/identity/domain/',
      { path: '^src/(identity/(application|persistence|graphql)|adapters|config|http)/' },
    ),
    forbidImports(
      'domain-knows-no-driver-or-edge',
      'The domain uses no database driver, GraphQL or HTTP library.',
      '^src/identity/domain/',
      {
        dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'npm-unknown'],
        path: '(^|/)node_modules/(@mikro-orm/(postgresql|knex)|pg|knex|graphql|type-graphql|@apollo/[^/]+|express|ioredis)/',
      },
    ),
    forbidImports(
      'persistence-below-application',
      'Persistence (hand-written SQL) serves the use cases and never calls them or the edge.',
      '^src/identity/persistence/',
      { path: '^src/identity/(application|graphql)/' },
    ),
    forbidImports(
      'application-below-graphql',
      'Use cases know nothing of GraphQL.',
      '^src/identity/application/',
      { path: '^src/identity/graphql/' },
    ),
    forbidImports(
      'application-knows-no-edge-library',
      'Use cases use no GraphQL or HTTP library.',
      '^src/identity/application/',
      {
        dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'npm-unknown'],
        path: '(^|/)node_modules/(graphql|type-graphql|@apollo/[^/]+|express)/',
      },
    ),
    forbidImports(
      'graphql-through-application',
      'Resolvers reach data and adapters only through the application layer.',
      '^src/identity/graphql/',
      { path: '^src/(identity/persistence|adapters)/' },
    ),
    forbidImports('src-stands-alone', 'Service code never imports tests, benchmarks or scripts.', '^src/', {
      path: '^(tests|bench|scripts)/',
    }),
    {
      name: 'no-dev-dependencies-in-src',
      comment: 'Production code uses production dependencies only.',
      severity: 'error',
      from: { path: '^src/' },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
      extensions: ['.ts', '.js', '.cjs', '.mjs', '.json'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
