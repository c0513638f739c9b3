import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX, { createNodeResolver } from 'eslint-plugin-import-x';

/**
 * Who may import whom (docs/architecture.md): the floors from the bottom up, each importing only
 * floors below it. Enforced per folder; import cycles fail too (import-x/no-cycle).
 */
const ROOT_FILES = ['server', 'main'];
const UPWARD = ['..', '../..', '../../..'];
const patternsOf = (name) => (ROOT_FILES.includes(name) ? UPWARD.map((up) => `${up}/${name}`) : [`**/${name}`, `**/${name}/**`]);
const forbid = (names, message) => ({ group: names.flatMap(patternsOf), message });
const KERNEL = 'The kernel (config, platform) imports nothing of ours above it.';
const ABOVE_DB = ['events', 'jobs', 'context', 'federation', 'services', 'schema', 'resolvers', 'http', 'demo', 'server', 'main'];
const layer = (files, patterns) => ({ files, rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns }] } });
const TYPEORM = { group: ['typeorm', 'typeorm/*'], message: 'Only src/db and src/entities talk to TypeORM.' };
const PG = { group: ['pg', 'pg/*'], message: 'Only src/db, src/events and src/jobs talk to pg: services go through TenantDatabase.' };
const GRAPHQL = { group: ['graphql', 'graphql/*', 'type-graphql', '@apollo/*', 'graphql-ws', 'graphql-ws/*'], message: 'The rules do not know they are served over GraphQL.' };
const DATA_LAYER = { group: ['**/*.sql', '**/db', '**/db/*', '**/db/**'], message: 'Resolvers call services, never the data layer.' };
/** The feature rooms of services, lowest first: a room imports only rooms before it (and common). */
const FEATURES = ['identity', 'catalog', 'scheduling', 'sharing', 'partners', 'partner-data', 'integrations', 'engagement-index'];
const featureRules = FEATURES.map((feature, index) => layer([`src/services/${feature}/**/*.ts`], [
  GRAPHQL, TYPEORM, PG, forbid(['schema', 'resolvers', 'http', 'demo', 'server'], 'Services do not know the GraphQL schema nor the transports.'),
  ...(index < FEATURES.length - 1 ? [forbid(FEATURES.slice(index + 1), `${feature} is below ${FEATURES.slice(index + 1).join(', ')}: it never imports them.`)] : []),
]));

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.data/**', 'coverage/**', 'src/http/graphiql/graphiql-boot.js', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: false } },
    rules: {
      '@typescript-eslint/no-unsafe-function-type': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  layer(['src/config.ts', 'src/platform/**/*.ts'], [
    forbid(['entities', 'db', ...ABOVE_DB], KERNEL), { group: ['../../*', '!../../config'], message: KERNEL },
  ]),
  layer(['src/entities/**/*.ts'], [GRAPHQL, { group: ['../*', '!./*'], message: 'Entities import only TypeORM and each other.' }]),
  layer(['src/db/**/*.ts'], [GRAPHQL, forbid(ABOVE_DB, 'The data access layer sits under everything that uses it.')]),
  layer(['src/events/**/*.ts', 'src/jobs/**/*.ts'], [GRAPHQL, TYPEORM, forbid(['entities', 'db', ...ABOVE_DB.filter((name) => !['events', 'jobs'].includes(name))], 'The event bus and the job runner carry what features give them; they know no feature.')]),
  layer(['src/context/**/*.ts'], [GRAPHQL, TYPEORM, PG, forbid(['events', 'jobs', 'federation', 'services', 'schema', 'resolvers', 'http', 'demo', 'server'], 'The request context knows who calls and how to reach the database, nothing of the features.')]),
  // The peer protocol IS GraphQL on the wire, so the federation client may use the graphql-ws client; nothing else of GraphQL.
  layer(['src/federation/**/*.ts'], [
    { group: ['graphql', 'graphql/*', 'type-graphql', '@apollo/*'], message: 'Federation speaks the peer protocol, it does not serve GraphQL.' },
    TYPEORM, PG, forbid(['entities', 'db', 'events', 'jobs', 'context', 'services', 'schema', 'resolvers', 'http', 'demo', 'server'], 'Federation is the wire only: the protocol, its clients and the outbound guard.'),
  ]),
  layer(['src/services/common/**/*.ts'], [GRAPHQL, TYPEORM, PG, forbid(['schema', 'resolvers', 'http', 'demo', 'server', ...FEATURES], 'common is the floor every feature stands on.')]),
  ...featureRules,
  layer(['src/schema/**/*.ts'], [TYPEORM, PG, forbid(['entities', 'db', 'events', 'jobs', 'federation', 'services', 'resolvers', 'http', 'demo', 'server'], 'GraphQL types describe the API: they know neither entities nor services.')]),
  layer(['src/resolvers/**/*.ts'], [TYPEORM, PG, DATA_LAYER, forbid(['http', 'demo', 'server'], 'Resolvers sit under the transports.')]),
  layer(['src/http/**/*.ts'], [TYPEORM, PG, DATA_LAYER, forbid(['resolvers', 'services', 'demo', 'server'], 'The transports serve a schema to a context; the composition root wires services in.')]),
  {
    files: ['src/**/*.ts', 'migrations/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.json'] })],
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  // Ids are UUIDs: the schema's ID scalar refuses anything else before it reaches SQL.
  { files: ['src/**/*.ts'], rules: { 'no-restricted-imports': ['error', { paths: [{ name: 'type-graphql', importNames: ['ID'], message: 'Use ID from src/schema/scalars (a UUID).' }] }] } },
  { files: ['**/*.js', '**/*.cjs'], languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly', process: 'readonly', __dirname: 'readonly', console: 'readonly' } } },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
