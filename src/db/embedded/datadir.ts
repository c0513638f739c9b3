import { promises as fs } from 'node:fs';
import path from 'node:path';
import { EmbeddedPostgresError } from './error';
import { findUntraversable, type ServerUser } from './user';

const RELOCATED_DATA_ROOT = '/var/lib/careslot-embedded-pg';

export async function isInitialised(dataDir: string): Promise<boolean> {
  return exists(path.join(dataDir, 'PG_VERSION'));
}

/**
 * The directory PostgreSQL will really use for `requested`, created and owned by `user`. When `user` is not
 * ourselves and cannot reach `requested` (e.g. a checkout under a mode-700 /root), a fresh cluster lives under
 * /var/lib instead, with `requested` as a symlink to it so that later runs find it again.
 */
export async function prepareDataDir(requested: string, user: ServerUser, log: (line: string) => void): Promise<string> {
  await removeDanglingSymlink(requested);
  await fs.mkdir(path.dirname(requested), { recursive: true });
  const location = await realLocation(requested);
  const blocked = await findUntraversable(user, path.dirname(location));
  if (!blocked) return ensureOwnedBy(user, location, requested);
  if (user.isSelf || (await isInitialised(location))) {
    throw new EmbeddedPostgresError(
      `OS user ${user.name} cannot reach ${requested} because ${blocked} is not traversable: ` +
        `run \`chmod o+x ${blocked}\` or set DATABASE_URL`,
    );
  }
  return relocate(requested, user, blocked, log);
}

async function ensureOwnedBy(user: ServerUser, location: string, requested: string): Promise<string> {
  await fs.mkdir(location, { recursive: true, mode: 0o700 });
  const owner = (await fs.stat(location)).uid;
  if (owner === user.uid) return location;
  if (!user.isSelf && !(await isInitialised(location))) {
    await fs.chown(location, user.uid, user.gid);
    await fs.chmod(location, 0o700);
    return location;
  }
  throw new EmbeddedPostgresError(
    `${requested} belongs to uid ${owner} but the embedded PostgreSQL runs as ${user.name} (uid ${user.uid}): ` +
      `run as the user who created it, \`chown -R ${user.uid} ${location}\`, delete it, or set DATABASE_URL`,
  );
}

async function relocate(requested: string, user: ServerUser, blocked: string, log: (line: string) => void): Promise<string> {
  await fs.mkdir(RELOCATED_DATA_ROOT, { recursive: true, mode: 0o755 });
  await fs.chmod(RELOCATED_DATA_ROOT, 0o755);
  const checkoutName = path.basename(path.dirname(path.dirname(path.resolve(requested))));
  const target = await fs.mkdtemp(path.join(RELOCATED_DATA_ROOT, `${checkoutName}-`));
  await fs.chown(target, user.uid, user.gid);
  await fs.rmdir(requested).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') {
      throw new EmbeddedPostgresError(`${requested} is not empty and not a PostgreSQL data directory; move it away`);
    }
  });
  await fs.symlink(target, requested);
  log(
    `OS user ${user.name} cannot traverse ${blocked}, so the embedded PostgreSQL data lives in ${target} ` +
      `(symlinked from ${requested}); \`chmod o+x ${blocked}\` would avoid this`,
  );
  return target;
}

async function realLocation(requested: string): Promise<string> {
  if (await exists(requested)) return fs.realpath(requested);
  return path.join(await fs.realpath(path.dirname(requested)), path.basename(requested));
}

/** A link left behind when its relocated target was deleted: start afresh instead of failing. */
async function removeDanglingSymlink(requested: string): Promise<void> {
  const link = await fs.lstat(requested).catch(() => undefined);
  if (link?.isSymbolicLink() && !(await exists(requested))) await fs.unlink(requested);
}

async function exists(file: string): Promise<boolean> {
  return fs.stat(file).then(
    () => true,
    () => false,
  );
}
