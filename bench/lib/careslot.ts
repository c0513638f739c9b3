import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { freePort, measuredServer, sleep, type MeasuredServer } from './processes';

export const ROOT = join(__dirname, '..', '..', '..');

export interface CareslotProcess extends MeasuredServer {
  /** Spawn to the first 200 from /readyz (the database was up before the spawn). */
  readyMs: number;
  /** Warnings and errors the server logged (its info lines are dropped). */
  problems(): string[];
}

export interface CareslotSettings {
  ownerUrl: string;
  appUrl: string;
  secretKey: string;
  logLevel: string;
  /** The Node binary to run the server with (scenario 19: the scratch folder's Node 22); the bench's own by default. */
  node?: string;
  /** Extra node flags for the server, e.g. --cpu-prof (bench --profile). */
  nodeArgs?: string[];
  /** Further environment for the server, e.g. OUTBOUND_ALLOW_LOOPBACK for a client server linked to a peer on loopback. */
  env?: Record<string, string>;
}

/**
 * careslot as production runs it: `node dist/src/main.js` in its own process, with the probe
 * preloaded for CPU readings, the descriptor limit raised to the hard limit (fan-out opens
 * thousands of sockets), the rate limit lifted, and DEBUG_SQL_COUNT on for x-sql-statements.
 */
export async function startCareslot(settings: CareslotSettings): Promise<CareslotProcess> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH, HOME: process.env.HOME,
    NODE_ENV: 'production', HOST: '127.0.0.1', PORT: String(port),
    DATABASE_URL: settings.ownerUrl, DATABASE_APP_URL: settings.appUrl, SECRET_KEY: settings.secretKey,
    MIGRATIONS_RUN: 'true', DEMO_DATA: 'false', LOG_LEVEL: settings.logLevel,
    DEBUG_SQL_COUNT: 'true', RATE_LIMIT_PER_MINUTE: '1000000000',
    ...settings.env,
  };
  const started = performance.now();
  const child: ChildProcess = spawn(
    '/bin/sh',
    ['-c', 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$0" "$@"', settings.node ?? process.execPath, ...(settings.nodeArgs ?? []),
      '--require', join(__dirname, 'probe-preload.js'), join(ROOT, 'dist', 'src', 'main.js')],
    { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] },
  );
  const problems: string[] = [];
  const keep = (line: string) => {
    if (problems.length < 200) problems.push(line.slice(0, 2000));
  };
  let pending = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop()!;
    for (const line of lines) if (/"level":(4|5|6)\d/.test(line)) keep(line);
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => keep(chunk.trim()));
  let exited = false;
  child.on('exit', () => { exited = true; });

  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    if (exited) throw new Error(`careslot exited during start:\n${problems.join('\n')}`);
    if (performance.now() - started > 120_000) throw new Error('careslot was not ready within 120 s');
    const ready = await fetch(`${url}/readyz`).then((r) => r.status === 200, () => false);
    if (ready) break;
    await sleep(10);
  }
  const readyMs = performance.now() - started;
  return { ...measuredServer(child, url), readyMs, problems: () => problems };
}

/** POST a GraphQL operation with the bench token; answers the JSON body and the statement count. */
export async function graphql<T = any>(url: string, token: string, query: string, variables?: object): Promise<{ body: { data?: T; errors?: any[] }; statements: number; status: number }> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json() as { data?: T; errors?: any[] };
  return { body, statements: Number(response.headers.get('x-sql-statements') ?? NaN), status: response.status };
}
