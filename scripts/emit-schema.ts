import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { printSchema } from 'graphql';
import { RESOLVERS } from '../src/resolvers';
import { buildCareslotSchema } from '../src/schema/build-schema';

/** Writes src/schema/schema.graphql, committed so that every API change shows in review. */
export const SCHEMA_FILE = 'src/schema/schema.graphql';

async function main(): Promise<void> {
  const schema = await buildCareslotSchema({ resolvers: RESOLVERS, resolverInstances: new Map() });
  writeFileSync(SCHEMA_FILE, `${printSchema(schema)}\n`);
  process.stdout.write(`wrote ${SCHEMA_FILE}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
