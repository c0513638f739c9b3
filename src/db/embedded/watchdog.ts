import { spawn } from 'node:child_process';

/**
 * The watchdog's whole program, run by a second node process: when its parent (this process) is
 * gone (it is re-parented, so its parent pid changes), it stops the embedded PostgreSQL with a fast
 * shutdown (SIGINT), and with SIGQUIT if that is not done within 15 s; once PostgreSQL is gone it exits.
 */
const WATCHDOG = `
const [parent, postgres] = process.argv.slice(1).map(Number);
const zombie = (pid) => { try { return require('fs').readFileSync('/proc/' + pid + '/stat', 'utf8').includes(') Z '); } catch { return false; } };
const alive = (pid) => { try { process.kill(pid, 0); return !zombie(pid); } catch (e) { return e.code === 'EPERM'; } };
const watch = setInterval(() => {
  if (!alive(postgres)) process.exit(0);
  if (process.ppid === parent) return;
  clearInterval(watch);
  try { process.kill(postgres, 'SIGINT'); } catch {}
  setTimeout(() => { try { process.kill(postgres, 'SIGQUIT'); } catch {} process.exit(0); }, 15000);
  setInterval(() => { if (!alive(postgres)) process.exit(0); }, 200);
}, 500);
`;

/**
 * If this process dies without stopping the embedded PostgreSQL it started (SIGKILL, a crash the
 * exit handlers do not see), the server must not outlive it for long: a small watchdog process
 * stops it within about a second (a zombie left for a parent that does not reap counts as gone).
 * Stopped with the server on an orderly stop.
 */
export function watchEmbeddedPostgres(postgresPid: number): () => void {
  const watchdog = spawn(process.execPath, ['-e', WATCHDOG, String(process.pid), String(postgresPid)], {
    detached: true, stdio: 'ignore', env: {},
  });
  watchdog.unref();
  return () => {
    if (watchdog.exitCode === null && watchdog.signalCode === null) watchdog.kill('SIGKILL');
  };
}
