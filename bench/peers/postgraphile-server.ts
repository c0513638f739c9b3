/**
 * Child side of scenario 19's PostGraphile (started by `startPostGraphile` in `postgraphile.ts`, on
 * the scratch folder's Node 22): `node dist/bench/peers/postgraphile-server.js <port> <json config>`.
 * PostGraphile 5 (Amber preset, its defaults otherwise) over grafserv's node:http adaptor, on the
 * bench database's app login (careslot's RLS role), GraphiQL and watch off. Each request's
 * transaction sets `app.tenant_id` from its `x-tenant-id` header through PostGraphile's pgSettings,
 * as careslot's transactions set it from the token: the same row-level security policies apply.
 * PostGraphile and its dependencies are not careslot's: they are loaded from the scratch folder.
 */
import { createRequire } from 'node:module';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { installProbe } from '../lib/probe';

export interface PostGraphileServerConfig {
  /** The scratch folder whose node_modules hold postgraphile. */
  peersDir: string;
  appUrl: string;
  poolSize: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function serve(port: number, config: PostGraphileServerConfig): Promise<void> {
  const load = createRequire(join(config.peersDir, 'package.json'));
  const { postgraphile } = load('postgraphile');
  const { PostGraphileAmberPreset } = load('postgraphile/presets/amber');
  const { makePgService } = load('postgraphile/adaptors/pg');
  const { grafserv } = load('postgraphile/grafserv/node');
  const preset = {
    extends: [PostGraphileAmberPreset],
    pgServices: [makePgService({ connectionString: config.appUrl, schemas: ['public'], poolConfig: { max: config.poolSize } })],
    grafserv: { port, host: '127.0.0.1', graphqlPath: '/graphql', graphiql: false, watch: false },
    grafast: {
      explain: false,
      // A tenant for every request, as careslot's token gives one: without it the policies show nothing.
      context(requestContext: { node?: { req: { headers: Record<string, string | string[] | undefined> } } }) {
        const tenant = requestContext.node?.req.headers['x-tenant-id'];
        return { pgSettings: typeof tenant === 'string' && UUID.test(tenant) ? { 'app.tenant_id': tenant } : {} };
      },
    },
  };
  const pgl = postgraphile(preset);
  const serv = pgl.createServ(grafserv);
  const server = createServer();
  server.keepAliveTimeout = 65_000;
  await serv.addTo(server);
  // Build the schema before the first request is measured.
  await pgl.getSchema();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  process.once('SIGTERM', () => {
    server.close();
    void pgl.release().finally(() => process.exit(0));
  });
}

if (require.main === module) {
  const [port, config] = process.argv.slice(2);
  installProbe();
  serve(Number(port), JSON.parse(config) as PostGraphileServerConfig)
    .then(() => process.send!({ type: 'listening' }))
    .catch((error: unknown) => {
      process.stderr.write(`postgraphile failed: ${error instanceof Error ? error.stack : String(error)}\n`);
      process.exit(1);
    });
}
