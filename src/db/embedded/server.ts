import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { EmbeddedPostgresError } from './error';
import { OWNER_SETTING } from './stale';
import { watchEmbeddedPostgres } from './watchdog';
import { spawnIdentity, type ServerUser } from './user';

export interface ServerLaunch {
  postgres: string;
  dataDir: string;
  port: number;
  user: ServerUser;
  log: (line: string) => void;
}

export interface RunningServer {
  pid: number;
  /** Fast shutdown; resolves once the postmaster has exited. Safe to call any number of times. */
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;

export async function launchServer(launch: ServerLaunch): Promise<RunningServer> {
  const child = spawn(launch.postgres, serverArguments(launch), {
    ...spawnIdentity(launch.user),
    cwd: '/',
    // Its own session, so a Ctrl-C in the terminal reaches only us and our stop() decides when it goes down.
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, LC_MESSAGES: 'C' },
  });
  const recentLog = followServerLog(child.stderr, launch.log);
  try {
    await waitUntilReady(child, launch.dataDir);
  } catch (error) {
    await stopChild(child);
    // Problem lines were already forwarded; the rest is the context to see them in.
    recentLog().filter((line) => !isProblem(line)).forEach((line) => launch.log(`postgres: ${line}`));
    const reason = error instanceof Error ? error.message : String(error);
    throw new EmbeddedPostgresError(`embedded PostgreSQL did not start: ${lastProblem(recentLog()) ?? reason}`);
  }
  return runningServer(child, launch.log);
}

function serverArguments({ dataDir, port }: ServerLaunch): string[] {
  const settings = [
    'listen_addresses=127.0.0.1',
    'unix_socket_directories=',
    'max_connections=200',
    'shared_buffers=128MB',
    'fsync=on',
    'lc_messages=C',
    `${OWNER_SETTING}=${process.pid}`,
  ];
  return ['-D', dataDir, '-p', String(port), ...settings.flatMap((setting) => ['-c', setting])];
}

function runningServer(child: ChildProcess, log: (line: string) => void): RunningServer {
  let stopping: Promise<void> | undefined;
  const stopWatchdog = watchEmbeddedPostgres(child.pid ?? 0);
  // If our process exits without stop() (process.exit, uncaught error), still ask the server to shut down.
  const interruptOnExit = (): void => {
    if (!hasExited(child)) child.kill('SIGINT');
  };
  process.on('exit', interruptOnExit);
  child.once('exit', (code, signal) => {
    if (!stopping) log(`embedded PostgreSQL exited unexpectedly (${signal ?? `code ${String(code)}`})`);
  });
  return {
    pid: child.pid ?? 0,
    stop: () => (stopping ??= stopChild(child).finally(() => {
      stopWatchdog();
      process.removeListener('exit', interruptOnExit);
    })),
  };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || hasExited(child)) return;
  const exited = once(child, 'exit');
  child.kill('SIGINT');
  const timer = new Promise<'timeout'>((resolve) => setTimeout(resolve, STOP_TIMEOUT_MS, 'timeout').unref());
  if ((await Promise.race([exited, timer])) === 'timeout') {
    child.kill('SIGQUIT');
    await exited;
  }
}

function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** Ready as pg_ctl sees it: our postmaster wrote "ready" into postmaster.pid (independent of log wording). */
async function waitUntilReady(child: ChildProcess, dataDir: string): Promise<void> {
  let closed = false;
  let spawnError: Error | undefined;
  child.once('close', () => (closed = true));
  child.once('error', (error) => (spawnError = error));
  const pidFile = path.join(dataDir, 'postmaster.pid');
  for (const deadline = Date.now() + READY_TIMEOUT_MS; Date.now() < deadline; ) {
    if (spawnError) throw spawnError;
    if (closed) {
      throw new Error(`postgres exited with code ${String(child.exitCode ?? child.signalCode)}`);
    }
    const lines = (await fs.readFile(pidFile, 'utf8').catch(() => '')).split('\n');
    if (lines[0] === String(child.pid) && lines[7]?.trim() === 'ready') return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`not ready after ${READY_TIMEOUT_MS / 1000} s`);
}

/** Keeps the server's log out of our output except for problems; returns the recent lines for error reports. */
function followServerLog(stream: Readable | null, log: (line: string) => void): () => string[] {
  const recent: string[] = [];
  let partial = '';
  stream?.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString('utf8')).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines.filter((text) => text.trim() !== '')) {
      recent.push(line);
      if (recent.length > 30) recent.shift();
      // Statement errors (ERROR) belong to the clients that caused them and are theirs to report;
      // only a failing server is news here.
      if (isServerFailure(line)) log(`postgres: ${line}`);
    }
  });
  return () => [...recent];
}

function isServerFailure(line: string): boolean {
  return /\b(FATAL|PANIC):/.test(line);
}

function isProblem(line: string): boolean {
  return /\b(FATAL|ERROR|PANIC):/.test(line);
}

function lastProblem(lines: string[]): string | undefined {
  return [...lines].reverse().find(isProblem)?.replace(/^.*?\b(FATAL|ERROR|PANIC):\s*/, '');
}
