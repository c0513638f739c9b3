/**
 * `npm run bench` (default scale, < 10 min on 2 cores) and `npm run bench -- --quick` (< 2 min).
 * Options: --soak=SECONDS (contended-booking soak; 60 by default, 0 in --quick), --scale=FACTOR
 * (1 = 100 tenants, 1,000 centres, 10,000 schedules, 1,000,000 appointments), --only=1,3,7,
 * --log-level=LEVEL (careslot's LOG_LEVEL, default info as in production), --profile (careslot runs
 * with --cpu-prof; profiles land in bench/.work/profiles when it stops), --keep (leave the bench
 * database for EXPLAIN ANALYZE; drop it yourself), --with-peers (scenario 19: the agenda against PostGraphile 5,
 * all its servers on a Node 22 from the scratch folder bench/.work/peers; off unless given).
 * The build (`npm run build`) runs first through the npm script; this file runs from dist/.
 */
import 'reflect-metadata';
import { execSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { floorConfigOf } from './floors';
import { ROOT, startCareslot, type CareslotProcess, type CareslotSettings } from './lib/careslot';
import { Cleanups } from './lib/cleanups';
import { generateData, scaleOf } from './lib/data';
import { createBenchDatabase } from './lib/database';
import { check, mb, type BenchContext, type Scenario, type ScenarioResult, type Settings } from './lib/scenario';
import { dataFacts, gitFacts, goalsTable, machineFacts, writeReport, type Report } from './report';
import { availabilityScenario } from './scenarios/s1-availability';
import { availabilityMonthScenario } from './scenarios/s2-availability-month';
import { bookingScenario } from './scenarios/s3-booking';
import { contendedBookingScenario } from './scenarios/s4-contended-booking';
import { agendaScenario } from './scenarios/s5-agenda';
import { overheadScenario } from './scenarios/s6-overhead';
import { fanOutScenario } from './scenarios/s7-fanout';
import { crossServerScenario } from './scenarios/s8-cross-server';
import { resourcesScenario } from './scenarios/s9-resources';
import { partnerBookingScenario } from './scenarios/s10-partner-booking';
import { partnerAvailabilityScenario } from './scenarios/s11-partner-availability';
import { statisticsScenario } from './scenarios/s12-statistics';
import { holdBookingScenario } from './scenarios/s13-hold-booking';
import { availabilityHoldsScenario } from './scenarios/s14-availability-holds';
import { partnerSyncScenario } from './scenarios/s15-partner-sync';
import { partnerLiveScenario } from './scenarios/s16-partner-live';
import { partnerFilterScenario } from './scenarios/s17-partner-filter';
import { externalAvailabilityScenario } from './scenarios/s18-external-availability';
import { agendaPeersScenario } from './scenarios/s19-agenda-peers';
import { engagementIndexBatchScenario, engagementIndexBookingScenario, engagementIndexLagScenario } from './scenarios/s20-engagement-index';

const SCENARIOS: Array<[string, Scenario]> = [
  ['1', availabilityScenario],
  ['2', availabilityMonthScenario],
  ['3', bookingScenario],
  ['4', contendedBookingScenario],
  ['5', agendaScenario],
  ['6', overheadScenario],
  ['7', fanOutScenario],
  ['8', crossServerScenario],
  ['9', resourcesScenario],
  ['10', partnerBookingScenario],
  ['11', partnerAvailabilityScenario],
  ['12', statisticsScenario],
  ['13', holdBookingScenario],
  // After 1–13: it holds a share of the bench week (and releases the holds at its end).
  ['14', availabilityHoldsScenario],
  // After all the others: they top the bench tenant up with 30,000 shareable appointments (a centre of their own) and open a partner's data access.
  ['15', partnerSyncScenario],
  ['16', partnerLiveScenario],
  ['17', partnerFilterScenario],
  ['18', externalAvailabilityScenario],
  // Only with --with-peers: installs PostGraphile and a Node 22 into bench/.work/peers (cached) and starts careslot on that Node.
  ['19', agendaPeersScenario],
  // The engagement index (seed 003), each on a careslot process of its own; they leave the bench tenant's index off and empty.
  ['20', engagementIndexBookingScenario],
  ['21', engagementIndexBatchScenario],
  ['22', engagementIndexLagScenario],
];

/** Scenarios that run only with --with-peers (other servers than careslot, installed by the bench). */
const PEER_SCENARIOS = new Set(['19']);

function parseSettings(argv: string[]): Settings & { withPeers: boolean } {
  const option = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  const quick = argv.includes('--quick');
  const soak = option('soak');
  const only = option('only');
  return {
    quick,
    scale: Number(option('scale') ?? (quick ? 0.05 : 1)),
    duration: quick ? 1.5 : 6,
    warmup: quick ? 0.5 : 2,
    bookings: quick ? 1500 : 6000,
    contendedRounds: quick ? 5 : 20,
    soakSeconds: soak !== undefined ? Number(soak) : quick ? 0 : 60,
    subscriberCounts: quick ? [1000] : [1000, 5000, 10000],
    logLevel: option('log-level') ?? 'info',
    profile: argv.includes('--profile'),
    keep: argv.includes('--keep'),
    only: only ? new Set(only.split(',')) : undefined,
    withPeers: argv.includes('--with-peers'),
  };
}

/** Sockets per process the fan-out needs; the server raises its soft limit to the hard one, so the hard one must suffice. */
function fileLimit(): number {
  try {
    return Number(execSync('ulimit -Hn', { shell: '/bin/sh' }).toString().trim()) || Infinity;
  } catch {
    return Infinity;
  }
}

async function main(): Promise<number> {
  const started = performance.now();
  // The commit as built (npm run build ran just before): read now, not at the end, in a tree others keep committing to.
  const git = gitFacts(ROOT);
  const settings = parseSettings(process.argv.slice(2));
  const log = (line: string) => process.stdout.write(`[bench ${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s] ${line}\n`);
  const limit = fileLimit();
  const notes: string[] = [];
  if (settings.subscriberCounts.some((n) => n + 500 > limit)) {
    notes.push(`ulimit -Hn is ${limit}: fan-out limited to fewer subscribers`);
    settings.subscriberCounts = settings.subscriberCounts.filter((n) => n + 500 <= limit);
  }
  log(`${settings.quick ? 'quick' : 'default'} run: scale ${settings.scale}, ${settings.duration} s per measurement, soak ${settings.soakSeconds} s, subscribers ${settings.subscriberCounts.join('/')}`);

  const db = await createBenchDatabase(log);
  let careslot: CareslotProcess | undefined;
  /** Set on SIGINT/SIGTERM: the cleanup under way, which ends the process (130) when done. */
  let interrupted: Promise<void> | undefined;
  const cleanups = new Cleanups();
  const cleanup = async () => {
    await cleanups.releaseAll(log);
    await careslot?.stop().catch(() => undefined);
    if (settings.keep) log(`--keep: the database stays for EXPLAIN ANALYZE: owner ${db.ownerUrl} app ${db.appUrl} token ${benchToken}`);
    else await db.drop();
  };
  let benchToken = '';
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log(`${signal}: stopping careslot and dropping the bench database`);
      interrupted = cleanup().finally(() => process.exit(130));
    });
  }
  try {
    log(`database ready (PostgreSQL ${db.serverVersion}, migrations ${Math.round(db.migrateMs)} ms); generating data`);
    const data = await generateData(db.ownerUrl, db.appUrl, settings.scale, log);
    benchToken = data.token;
    log(`data loaded in ${(data.loadMs / 1000).toFixed(1)} s: ${JSON.stringify(data.counts)}, bench week ${(data.benchWeekOccupancy * 100).toFixed(0)}% booked`);

    const serverSettings: CareslotSettings = {
      ownerUrl: db.ownerUrl, appUrl: db.appUrl, secretKey: randomBytes(32).toString('hex'), logLevel: settings.logLevel,
      nodeArgs: settings.profile ? ['--cpu-prof', `--cpu-prof-dir=${join(ROOT, 'bench', '.work', 'profiles')}`] : [],
    };
    careslot = await startCareslot(serverSettings);
    log(`careslot ready in ${Math.round(careslot.readyMs)} ms at ${careslot.url}`);
    const ctx: BenchContext = {
      settings, db, data, log,
      careslot: () => careslot!,
      restartCareslot: async () => {
        await careslot?.stop();
        careslot = await startCareslot(serverSettings);
        seenProblems = 0;
        return careslot;
      },
      serverSettings, cleanups,
      floorConfig: floorConfigOf(db.appUrl, data),
      facts: { readyMs: Math.round(careslot.readyMs), idleRssMb: mb(careslot.rssBytes()) },
    };

    const results: ScenarioResult[] = [];
    let seenProblems = 0;
    for (const [id, scenario] of SCENARIOS) {
      if (interrupted) break;
      if (settings.only && !settings.only.has(id)) continue;
      if (PEER_SCENARIOS.has(id) && !settings.withPeers) continue;
      log(`scenario ${id}`);
      const t = performance.now();
      try {
        results.push(await scenario(ctx));
      } catch (error) {
        log(`scenario ${id} failed: ${error instanceof Error ? error.stack : String(error)}`);
        results.push({ id, title: `scenario ${id}`, goals: [], checks: [check('scenario ran to the end', false, String(error))], metrics: {}, notes: [] });
      }
      const last = results[results.length - 1];
      last.metrics.scenarioSeconds = Math.round((performance.now() - t) / 100) / 10;
      for (const goal of last.goals) log(`  ${goal.name}: ${goal.product} ${goal.unit}${goal.floor === null ? '' : ` vs ${goal.floor} → ${goal.ratio}×`} (${goal.goal}) ${goal.goal.startsWith('info') ? '' : goal.pass ? 'ok' : 'MISSED'}`);
      for (const c of last.checks.filter((c) => !c.pass)) log(`  CHECK FAILED: ${c.name}: ${c.detail}`);
      const logged = careslot!.problems();
      for (const line of logged.slice(seenProblems, seenProblems + 3)) log(`  careslot logged: ${line.slice(0, 500)}`);
      seenProblems = logged.length;
    }
    const problems = careslot.problems();
    if (problems.length) notes.push(`careslot logged ${problems.length} warnings/errors, e.g. ${problems[0].slice(0, 300)}`);
    if (notes.length) results.push({ id: '–', title: 'run', goals: [], checks: [], metrics: {}, notes });

    // Interrupted: no report of a partial run; the finally below waits for the cleanup, which exits.
    if (interrupted) return 130;
    const report: Report = {
      date: new Date().toISOString(), mode: settings.quick ? 'quick' : 'default',
      command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}${process.env.DATABASE_URL ? ' (DATABASE_URL set)' : ''}`,
      machine: machineFacts(db.serverVersion, db.embedded), git,
      settings: { ...settings, only: settings.only ? [...settings.only] : undefined },
      data: dataFacts(data, { ...scaleOf(settings.scale) }),
      runtimeSeconds: (performance.now() - started) / 1000,
      scenarios: results,
    };
    const files = writeReport(ROOT, report);
    process.stdout.write(`\n${goalsTable(report)}\n\n`);
    log(`wrote ${files.json} and ${files.md}`);
    const failed = results.flatMap((r) => r.checks.filter((c) => !c.pass).map((c) => `${r.id}: ${c.name}`));
    if (failed.length) {
      log(`correctness checks failed:\n  ${failed.join('\n  ')}`);
      return 1;
    }
    return 0;
  } finally {
    if (interrupted) {
      await interrupted;
    } else {
      log('stopping careslot and dropping the bench database');
      await cleanup();
    }
  }
}

main().then((code) => process.exit(code), (error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
