import { execSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, release } from 'node:os';
import { join } from 'node:path';
import type { BenchData } from './lib/data';
import type { ScenarioResult, Settings } from './lib/scenario';

export interface Report {
  date: string;
  mode: 'quick' | 'default';
  command: string;
  machine: {
    cpus: number; cpuModel: string; memoryGb: number; kernel: string;
    /** process.version of the bench, and so of careslot: careslot, the floors and the load workers start with the bench's own node (process.execPath) unless a scenario names another (19). */
    node: string;
    nodePath: string;
    /** When the node release line's support ended (or ends); past it, figures are not those of a supported Node. */
    nodeEndOfLife: string | null;
    postgres: string; database: string;
  };
  git: { commit: string; dirty: boolean };
  settings: Omit<Settings, 'only'> & { only?: string[] };
  data: { counts: Record<string, number>; loadMs: number; steps: Record<string, number>; benchWeekOccupancy: number; scale: Record<string, number> };
  runtimeSeconds: number;
  scenarios: ScenarioResult[];
}

/** End of life of Node's LTS lines (nodejs.org/en/about/previous-releases). */
const NODE_END_OF_LIFE: Record<number, string> = { 18: '2025-04-30', 20: '2026-04-30', 22: '2027-04-30', 24: '2028-04-30' };

/**
 * The machine and the software measured. careslot (lib/careslot.ts), the floors and reference
 * servers (fork) and the load workers start with the bench's own process.execPath: this process's
 * Node is the one the servers ran on, but in a scenario that names another for its servers (19).
 */
export function machineFacts(postgres: string, embedded: boolean): Report['machine'] {
  return {
    cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGb: Math.round(totalmem() / 2 ** 30), kernel: release(),
    node: process.version, nodePath: process.execPath, nodeEndOfLife: NODE_END_OF_LIFE[Number(process.versions.node.split('.')[0])] ?? null,
    postgres, database: embedded ? 'embedded (bench/.work/pg)' : 'DATABASE_URL server, fresh database',
  };
}

/** The Node line of the results: which Node careslot and every other server ran on, and whether it is still supported. */
export function nodeFacts(report: Pick<Report, 'date' | 'machine'>): string {
  const { node, nodePath, nodeEndOfLife } = report.machine;
  const ended = nodeEndOfLife !== null && nodeEndOfLife < report.date.slice(0, 10);
  return `${node}, the bench's own (\`${nodePath}\`): careslot, the floors and the load generator ran on it, but where a scenario names another Node for its servers (19)`
    + (ended ? `; **this Node line reached end of life on ${nodeEndOfLife}**: measure on a current LTS (see bench/README.md)` : '');
}

export function gitFacts(root: string): Report['git'] {
  const run = (command: string) => {
    try {
      return execSync(command, { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    } catch {
      return '';
    }
  };
  return { commit: run('git rev-parse --short HEAD') || 'unknown', dirty: run('git status --porcelain') !== '' };
}

export function dataFacts(data: BenchData, scale: Record<string, number>): Report['data'] {
  return { counts: data.counts, loadMs: data.loadMs, steps: data.steps, benchWeekOccupancy: Number(data.benchWeekOccupancy.toFixed(3)), scale };
}

/** bench/results/<date>.json and .md (a quick run is suffixed `-quick`). */
export function writeReport(root: string, report: Report): { json: string; md: string } {
  const dir = join(root, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const base = `${report.date.replace(/:/g, '-').replace(/\.\d+Z$/, 'Z')}${report.mode === 'quick' ? '-quick' : ''}`;
  const json = join(dir, `${base}.json`);
  const md = join(dir, `${base}.md`);
  writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(md, markdown(report));
  return { json, md };
}

const mark = (pass: boolean) => (pass ? '✅' : '❌');
const cell = (value: unknown) => (value === null || value === undefined || (typeof value === 'number' && Number.isNaN(value)) ? '–' : String(value));

export function goalsTable(report: Report): string {
  const rows = ['| # | measure | careslot | floor | ratio | goal | |', '| --- | --- | ---: | ---: | ---: | --- | --- |'];
  for (const scenario of report.scenarios) {
    if (scenario.skipped) {
      rows.push(`| ${scenario.id} | ${scenario.title} | – | – | – | skipped: ${scenario.skipped} | – |`);
      continue;
    }
    for (const goal of scenario.goals) {
      const info = goal.goal.startsWith('info');
      rows.push(`| ${scenario.id} | ${goal.name} | ${cell(goal.product)} ${goal.unit} | ${goal.floor === null ? '–' : `${cell(goal.floor)} ${goal.unit}`} | ${goal.floor === null ? '–' : `${cell(goal.ratio)}×`} | ${goal.goal} | ${info ? 'ℹ️' : mark(goal.pass)} |`);
    }
  }
  return rows.join('\n');
}

function runsTable(report: Report): string {
  const rows = ['| # | run | side | p50 ms | p99 ms | req/s | server CPU ms/req | peak RSS MB |', '| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |'];
  for (const scenario of report.scenarios) {
    const walk = (value: unknown, path: string[]) => {
      if (!value || typeof value !== 'object' || Array.isArray(value)) return;
      const record = value as Record<string, any>;
      if ('p50Ms' in record) {
        const side = path.includes('floor') ? 'floor' : 'careslot';
        const name = path.filter((p) => p !== 'careslot' && p !== 'floor').join(' ') || '–';
        rows.push(`| ${scenario.id} | ${name} | ${side} | ${cell(record.p50Ms)} | ${cell(record.p99Ms)} | ${cell(record.throughput)} | ${cell(record.cpuMsPerRequest)} | ${cell(record.peakRssMb)} |`);
        return;
      }
      for (const [key, child] of Object.entries(record)) walk(child, [...path, key]);
    };
    walk(scenario.metrics, []);
  }
  return rows.join('\n');
}

function fanOutTable(report: Report): string {
  const fanOut = report.scenarios.find((s) => s.id === '7' && !s.skipped);
  if (!fanOut) return '';
  const rows = [
    '| subscribers | side | connect s | CPU ms/delivery | p50 ms | p99 ms | last ms | RSS before MB | RSS subscribed MB | peak RSS MB | KB/subscriber | lost |',
    '| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const [count, sides] of Object.entries(fanOut.metrics as Record<string, any>)) {
    if (!sides?.careslot) continue;
    for (const side of ['careslot', 'floor']) {
      const s = sides[side];
      rows.push(`| ${count} | ${side} | ${(s.connectMs / 1000).toFixed(1)} | ${s.cpuMsPerDelivery} | ${s.delivery.latency.p50} | ${s.delivery.latency.p99} | ${s.delivery.lastMs} | ${s.rssBeforeMb} | ${s.rssSubscribedMb} | ${s.peakRssMb} | ${s.kbPerSubscriber} | ${s.delivery.lost} |`);
    }
  }
  return `\n## Fan-out detail\n\n${rows.join('\n')}\n`;
}

export function markdown(report: Report): string {
  const m = report.machine;
  const checks = report.scenarios.flatMap((s) => s.checks.map((c) => `| ${s.id} | ${c.name} | ${mark(c.pass)} | ${c.detail.replace(/\|/g, '\\|').replace(/\n/g, ' ').slice(0, 300)} |`));
  const perScenario = report.scenarios.filter((s) => !s.skipped).map((s) => `| ${s.id} | ${s.title} | ${cell(s.statements)} | ${cell(s.peakRssMb)} |`);
  const notes = report.scenarios.flatMap((s) => s.notes.map((n) => `- (${s.id}) ${n}`));
  return `# careslot bench — ${report.date} (${report.mode})

\`${report.command}\` — ${report.runtimeSeconds.toFixed(0)} s in all.

| machine | |
| --- | --- |
| CPUs | ${m.cpus} × ${m.cpuModel} |
| memory | ${m.memoryGb} GB |
| Node.js | ${nodeFacts(report)} |
| PostgreSQL | ${m.postgres} (${m.database}) |
| kernel | ${m.kernel} |
| commit | ${report.git.commit}${report.git.dirty ? ' + uncommitted changes' : ''} |

Data: ${Object.entries(report.data.counts).map(([k, v]) => `${v.toLocaleString('en')} ${k}`).join(', ')}; loaded in ${(report.data.loadMs / 1000).toFixed(1)} s;
bench week of the bench centre ${(report.data.benchWeekOccupancy * 100).toFixed(0)}% booked.
Runs: ${report.settings.duration} s measured after ${report.settings.warmup} s warm-up; load from a separate process (autocannon), careslot as \`node dist/src/main.js\` (NODE_ENV=production, LOG_LEVEL=${report.settings.logLevel}, DEBUG_SQL_COUNT=true).

## Ratios to the floor (measured in this run)

${goalsTable(report)}

## Per scenario

| # | scenario | SQL statements per request | peak server RSS MB |
| --- | --- | --- | ---: |
${perScenario.join('\n')}

## Runs

${runsTable(report)}
${fanOutTable(report)}
## Correctness checks

| # | check | | detail |
| --- | --- | --- | --- |
${checks.join('\n')}

## Notes

${notes.join('\n')}
`;
}
