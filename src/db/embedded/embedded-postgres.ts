import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { Client } from 'pg';
import { binariesRunnableBy, resolvePackageBinaries, type PostgresBinaries } from './binaries';
import { isInitialised, prepareDataDir } from './datadir';
import { EmbeddedPostgresError } from './error';
import { launchServer, type RunningServer } from './server';
import { clearStalePostmaster } from './stale';
import { resolveServerUser, runAs, type ServerUser } from './user';

export { EmbeddedPostgresError } from './error';

export interface EmbeddedDatabase {
  /** Superuser URL, e.g. postgres://postgres:<pw>@127.0.0.1:<port>/postgres */
  url: string;
  port: number;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** Absolute, e.g. <repo>/.data/pg */
  dataDir: string;
  /** Default: a free port chosen once and remembered next to dataDir; 0: any free port. */
  port?: number;
  log: (line: string) => void;
}

interface Cluster {
  binaries: PostgresBinaries;
  user: ServerUser;
  /** Where the data really is (differs from opts.dataDir when that is a symlink). */
  dataDir: string;
  label: string;
  password: string;
}

const SUPERUSER = 'postgres';
const PORT_ATTEMPTS = 3;

export async function startEmbeddedPostgres(opts: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const user = await resolveServerUser(opts.log);
  const binaries = await binariesRunnableBy(user, await resolvePackageBinaries(), opts.log);
  const dataDir = await prepareDataDir(opts.dataDir, user, opts.log);
  const label = path.relative(process.cwd(), opts.dataDir) || opts.dataDir;
  await clearStalePostmaster(dataDir, label, opts.log);
  const password = await ensureCluster({ binaries, user, dataDir, label }, opts);
  return startOnSomePort({ binaries, user, dataDir, label, password }, opts);
}

async function ensureCluster(cluster: Omit<Cluster, 'password'>, opts: EmbeddedOptions): Promise<string> {
  const passwordFile = `${opts.dataDir}.password`;
  const stored = await readTrimmed(passwordFile);
  if (!(await isInitialised(cluster.dataDir))) {
    await assertEmpty(cluster.dataDir, cluster.label);
    const password = stored ?? (await createPassword(passwordFile));
    await runInitdb({ ...cluster, password });
    return password;
  }
  if (stored) return stored;
  opts.log(`no ${path.basename(passwordFile)} next to ${cluster.label}; setting a new superuser password`);
  const password = await createPassword(passwordFile);
  await resetSuperuserPassword({ ...cluster, password });
  return password;
}

async function runInitdb(cluster: Cluster): Promise<void> {
  // initdb runs as the server user, so its password file must sit somewhere that user can read.
  const passwordFile = path.join(path.dirname(cluster.dataDir), `.initdb-${randomBytes(6).toString('hex')}`);
  await fs.writeFile(passwordFile, `${cluster.password}\n`, { mode: 0o600, flag: 'wx' });
  try {
    if (!cluster.user.isSelf) await fs.chown(passwordFile, cluster.user.uid, cluster.user.gid);
    const result = await runAs(
      cluster.user,
      cluster.binaries.initdb,
      [
        `--pgdata=${cluster.dataDir}`,
        `--username=${SUPERUSER}`,
        `--pwfile=${passwordFile}`,
        '--auth=scram-sha-256',
        '--encoding=UTF8',
        // The builtin provider gives Unicode-aware case mapping without depending on the host's locales.
        '--locale-provider=builtin',
        '--builtin-locale=C.UTF-8',
        '--locale=C',
      ],
      { env: { ...process.env, LC_ALL: 'C' } },
    );
    if (result.code !== 0) throw new EmbeddedPostgresError(`initdb failed for ${cluster.label}: ${lastLine(result.stderr)}`);
  } finally {
    await fs.rm(passwordFile, { force: true });
  }
}

/** Single-user mode needs no authentication, so a lost password file does not strand the data. */
async function resetSuperuserPassword(cluster: Cluster): Promise<void> {
  const result = await runAs(
    cluster.user,
    cluster.binaries.postgres,
    ['--single', '-D', cluster.dataDir, '-c', 'unix_socket_directories=', SUPERUSER],
    { input: `ALTER ROLE ${SUPERUSER} PASSWORD '${cluster.password}';\n` },
  );
  if (result.code !== 0) {
    throw new EmbeddedPostgresError(`could not reset the superuser password of ${cluster.label}: ${lastLine(result.stderr)}`);
  }
}

async function startOnSomePort(cluster: Cluster, opts: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const portFile = `${opts.dataDir}.port`;
  for (let attempt = 1; ; attempt++) {
    const port = await choosePort(opts.port, portFile);
    try {
      const server = await launchServer({ ...cluster, postgres: cluster.binaries.postgres, port, log: opts.log });
      const database = await verifiedDatabase(server, cluster, port, opts.dataDir);
      if (opts.port === undefined) await fs.writeFile(portFile, `${port}\n`);
      return database;
    } catch (error) {
      // Another program may take a port between our check and the server's bind.
      const portTaken = !opts.port && attempt < PORT_ATTEMPTS && !(await isPortFree(port));
      if (!portTaken) throw error;
    }
  }
}

async function verifiedDatabase(server: RunningServer, cluster: Cluster, port: number, dataDir: string): Promise<EmbeddedDatabase> {
  const url = `postgres://${SUPERUSER}:${encodeURIComponent(cluster.password)}@127.0.0.1:${port}/postgres`;
  const client = new Client({ connectionString: url });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('select 1');
  } catch (error) {
    await server.stop();
    const reason = error instanceof Error ? error.message : String(error);
    if ((error as { code?: unknown }).code === '28P01') {
      throw new EmbeddedPostgresError(`embedded PostgreSQL refused the password in ${dataDir}.password; delete that file to reset it`);
    }
    throw new EmbeddedPostgresError(`embedded PostgreSQL started but \`select 1\` failed: ${reason}`);
  } finally {
    await client.end().catch(() => undefined);
  }
  return { url, port, stop: () => server.stop() };
}

async function choosePort(requested: number | undefined, portFile: string): Promise<number> {
  if (requested) {
    if (await isPortFree(requested)) return requested;
    throw new EmbeddedPostgresError(`port ${requested} on 127.0.0.1 is already in use; choose another port for the embedded PostgreSQL`);
  }
  const remembered = requested === undefined ? Number(await readTrimmed(portFile)) : 0;
  if (Number.isInteger(remembered) && remembered > 0 && (await isPortFree(remembered))) return remembered;
  return freePort();
}

function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/** A TCP port on loopback that nothing listens on right now (the kernel's pick). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

async function createPassword(passwordFile: string): Promise<string> {
  const password = randomBytes(24).toString('base64url');
  await fs.writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
  await fs.chmod(passwordFile, 0o600);
  return password;
}

async function assertEmpty(dataDir: string, label: string): Promise<void> {
  const entries = await fs.readdir(dataDir);
  if (entries.length > 0) {
    throw new EmbeddedPostgresError(`${label} is not empty but holds no PostgreSQL cluster (no PG_VERSION); move it away or delete it`);
  }
}

async function readTrimmed(file: string): Promise<string | undefined> {
  const content = await fs.readFile(file, 'utf8').catch(() => undefined);
  return content?.trim() || undefined;
}

function lastLine(text: string): string {
  return text.trim().split('\n').pop() ?? 'no output';
}
