import type { PlannedOperation } from './planned-operation';

type Counts = Record<string, number>;

const bump = (counts: Counts, key: string): void => {
  counts[key] = (counts[key] ?? 0) + 1;
};

const format = (counts: Counts): string =>
  `{${Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)).map(([key, count]) => `${key}:${count}`).join(',')}}`;

/** What was sent and what came back, counted, for the one summary line of a run. */
export class FuzzStats {
  operations = 0;
  readonly byOrigin: Counts = {};
  readonly byRootKind: Counts = {};
  readonly byTransport: Counts = {};
  readonly byPrincipal: Counts = {};
  readonly byOutcome: Counts = {};
  readonly fieldsCovered = new Set<string>();
  private readonly byFieldOutcome = new Map<string, Counts>();
  /** Mutations that were turned down and whose database snapshots were compared. */
  rejectedMutationsChecked = 0;

  record(operation: PlannedOperation, outcome: string): void {
    this.operations += 1;
    bump(this.byOrigin, operation.origin);
    bump(this.byRootKind, operation.root.rootKind);
    bump(this.byTransport, operation.transport);
    bump(this.byPrincipal, operation.principal);
    bump(this.byOutcome, outcome);
    const field = `${operation.root.rootKind} ${operation.root.field.name}`;
    this.fieldsCovered.add(field);
    if (!this.byFieldOutcome.has(field)) this.byFieldOutcome.set(field, {});
    bump(this.byFieldOutcome.get(field)!, outcome);
  }

  /** One line per root field with its outcome counts: shows whether valid operations get through (FUZZ_VERBOSE). */
  perFieldLines(): string {
    return [...this.byFieldOutcome].sort(([a], [b]) => a.localeCompare(b)).map(([field, counts]) => `${field} ${format(counts)}`).join('\n');
  }

  summaryLine(details: { seed: number; durationMs: number; healthz: { polls: number; failures: number }; failures: number; distinctProblems: number }): string {
    return [
      `schema-fuzz seed=${details.seed}`,
      `operations=${this.operations}`,
      `origin=${format(this.byOrigin)}`,
      `fields=${this.fieldsCovered.size}`,
      `kind=${format(this.byRootKind)}`,
      `transport=${format(this.byTransport)}`,
      `principal=${format(this.byPrincipal)}`,
      `outcome=${format(this.byOutcome)}`,
      `rejectedMutationsChecked=${this.rejectedMutationsChecked}`,
      `healthz=${details.healthz.polls - details.healthz.failures}/${details.healthz.polls}`,
      `failures=${details.failures} (${details.distinctProblems} distinct)`,
      `duration=${(details.durationMs / 1000).toFixed(1)}s`,
    ].join(' ');
  }
}
