import { existsSync, readFileSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { EmbeddedPostgresError } from './error';

/** Passed to every server we start, so a later run can tell whose server holds a data directory. */
export const OWNER_SETTING = 'careslot.owner_pid';

interface PostmasterState {
  alive: boolean;
  isPostgres: boolean;
  /** The live process that started it (still its parent), so it is in use rather than left over. */
  liveOwner?: string;
}

/**
 * Makes the data directory free for a new server: a postmaster.pid naming a dead (or reused) pid is removed; a
 * postgres left running by a run that was killed is stopped; one still owned by a live process is an error.
 */
export async function clearStalePostmaster(dataDir: string, label: string, log: (line: string) => void): Promise<void> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  const pid = await readPostmasterPid(pidFile);
  if (pid === undefined) return;
  const state = inspect(pid);
  if (state.alive && state.isPostgres) {
    if (state.liveOwner) {
      throw new EmbeddedPostgresError(
        `${label} is in use by the embedded PostgreSQL (pid ${pid}) of running process ${state.liveOwner}; stop that process or set DATABASE_URL`,
      );
    }
    log(`embedded PostgreSQL from a previous run (pid ${pid}) still holds ${label}; stopping it`);
    await stopLeftover(pid, label);
  }
  await fs.rm(pidFile, { force: true });
}

async function readPostmasterPid(pidFile: string): Promise<number | undefined> {
  const content = await fs.readFile(pidFile, 'utf8').catch(() => undefined);
  if (content === undefined) return undefined;
  const pid = Number.parseInt(content.split('\n')[0] ?? '', 10);
  return Number.isInteger(pid) && pid > 0 ? pid : 0;
}

async function stopLeftover(pid: number, label: string): Promise<void> {
  // SIGINT is PostgreSQL's fast shutdown; SIGQUIT its immediate shutdown (crash recovery on next start).
  for (const [signal, waitMs] of [['SIGINT', 10_000], ['SIGQUIT', 5_000]] as const) {
    if (!signalUnlessGone(pid, signal, label)) return;
    if (await exitsWithin(pid, waitMs)) return;
  }
  throw new EmbeddedPostgresError(`embedded PostgreSQL (pid ${pid}) holding ${label} does not stop; run \`kill -9 ${pid}\` and retry`);
}

function signalUnlessGone(pid: number, signal: NodeJS.Signals, label: string): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw new EmbeddedPostgresError(
      `cannot stop embedded PostgreSQL (pid ${pid}) holding ${label}: it belongs to another OS user; run \`sudo kill ${pid}\` or run as that user`,
    );
  }
}

async function exitsWithin(pid: number, waitMs: number): Promise<boolean> {
  for (const deadline = Date.now() + waitMs; Date.now() < deadline; ) {
    if (!inspect(pid).alive) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return !inspect(pid).alive;
}

function inspect(pid: number): PostmasterState {
  if (pid <= 0) return { alive: false, isPostgres: false };
  if (!existsSync('/proc/self/stat')) return { alive: answersSignalZero(pid), isPostgres: true };
  const stat = readProcFile(pid, 'stat');
  // A zombie is already dead; it only waits for its new parent to reap it.
  const fields = stat?.slice(stat.lastIndexOf(')') + 2).split(' ');
  if (!fields || fields[0] === 'Z') return { alive: false, isPostgres: false };
  const argv = (readProcFile(pid, 'cmdline') ?? '').split('\0');
  const owner = argv.find((arg) => arg.startsWith(`${OWNER_SETTING}=`))?.slice(OWNER_SETTING.length + 1);
  return {
    alive: true,
    isPostgres: path.basename(argv[0] ?? '') === 'postgres',
    liveOwner: owner !== undefined && owner === fields[1] ? owner : undefined,
  };
}

function readProcFile(pid: number, name: string): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/${name}`, 'utf8');
  } catch {
    return undefined;
  }
}

function answersSignalZero(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
