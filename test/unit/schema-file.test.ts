import { readFileSync } from 'node:fs';
import { printSchema } from 'graphql';
import { RESOLVERS } from '../../src/resolvers';
import { buildCareslotSchema } from '../../src/schema/build-schema';

describe('the committed schema.graphql', () => {
  it('matches the schema the code builds (run `npm run schema:emit` after an API change)', async () => {
    const schema = await buildCareslotSchema({ resolvers: RESOLVERS, resolverInstances: new Map() });
    expect(readFileSync('src/schema/schema.graphql', 'utf8')).toBe(`${printSchema(schema)}\n`);
  });
});
