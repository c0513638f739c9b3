import type { TenantDatabase } from '../../db/tenant-database';
import type { Logger } from '../../platform/logger';
import { repeatEvery } from '../common/repeat-every';

/**
 * Tidies up expired holds on every tenant. Nothing waits for it: an expired hold is read as free
 * from its expiry on, and whoever books or holds its time frees it first. Every instance sweeps;
 * two sweeps at once delete each row once.
 */
export class HoldSweeper {
  private stopRepeating: () => void = () => undefined;

  constructor(private readonly database: TenantDatabase, private readonly logger: Logger, private readonly everyMs = 60_000) {}

  start(): void {
    this.stopRepeating = repeatEvery(this.everyMs, () => this.sweep(), (error) => this.logger.warn({ err: error.message }, 'hold sweep failed'));
  }

  /** Deletes the expired holds (the hold_sweeper policy lets this scope see only those); answers how many. */
  async sweep(): Promise<number> {
    const rows = await this.database.acrossTenants('hold-sweeper', (db) => db.query(`DELETE FROM appointments WHERE status = 'HELD' AND hold_expires_at <= now() RETURNING 1`));
    if (rows.length > 0) this.logger.debug({ holds: rows.length }, 'expired holds swept');
    return rows.length;
  }

  stop(): void {
    this.stopRepeating();
  }
}
