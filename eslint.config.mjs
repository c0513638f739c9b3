import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Who may import whom (docs/architecture.md), enforced per folder. */
const layer = (files, patterns) => ({ files, rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns }] } });
const TYPEORM = { group: ['typeorm', 'typeorm/*'], message: 'Only the data layer (src/db, src/entities, repositories) talks to TypeORM.' };
const GRAPHQL = { group: ['graphql', 'graphql/*', 'type-graphql', '@apollo/*', 'graphql-ws', 'graphql-ws/*'], message: 'The rules do not know they are served over GraphQL.' };
const SERVICES = { group: ['**/services', '**/services/*', '**/services/**'], message: 'This layer must not depend on services.' };
const RESOLVERS = { group: ['**/resolvers/**'], message: 'Nothing below the resolvers imports them.' };

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
  layer(['src/entities/**/*.ts'], [GRAPHQL, SERVICES, RESOLVERS, { group: ['../*', '!./*'], message: 'Entities import only TypeORM and each other.' }]),
  layer(['src/schema/**/*.ts'], [TYPEORM, SERVICES, RESOLVERS, { group: ['**/entities', '**/entities/*'], message: 'GraphQL types are kept separate from entities.' }]),
  layer(['src/resolvers/**/*.ts'], [TYPEORM, { group: ['**/db/*', '**/repositories/*', '**/*.repository'], message: 'Resolvers call services, never SQL.' }]),
  layer(['src/services/**/*.ts', 'src/events/**/*.ts', 'src/jobs/**/*.ts'], [GRAPHQL, RESOLVERS, { group: ['**/schema/**'], message: 'Services do not know the GraphQL schema.' }]),
  // The peer protocol IS GraphQL on the wire, so the federation client may use the graphql-ws client; nothing else of GraphQL.
  layer(['src/federation/**/*.ts'], [
    { group: ['graphql', 'graphql/*', 'type-graphql', '@apollo/*'], message: 'Federation speaks the peer protocol, it does not serve GraphQL.' },
    RESOLVERS, { group: ['**/schema/**'], message: 'Federation does not know the GraphQL schema.' },
  ]),
  // Ids are UUIDs: the schema's ID scalar refuses anything else before it reaches SQL.
  { files: ['src/**/*.ts'], rules: { 'no-restricted-imports': ['error', { paths: [{ name: 'type-graphql', importNames: ['ID'], message: 'Use ID from src/schema/scalars (a UUID).' }] }] } },
  { files: ['**/*.js', '**/*.cjs'], languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly', process: 'readonly', __dirname: 'readonly', console: 'readonly' } } },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
