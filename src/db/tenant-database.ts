import type { Pool } from 'pg';
import { inTenantStatement } from './statement-transaction';
import { inScopedTransaction, inTenantTransaction, type CrossTenantScope, type Queryable, type Tx, type UnitOfWorkOptions } from './unit-of-work';

/**
 * The application's way into PostgreSQL: every unit of work is a transaction scoped to one tenant
 * (row-level security sees to the rest), or to a named cross-tenant scope a policy allows.
 */
export class TenantDatabase {
  constructor(private readonly pool: Pool) {}

  /** BEGIN, the tenant scope, the work's statements, COMMIT. */
  transaction<T>(tenantId: string, work: (tx: Tx) => Promise<T>, options?: UnitOfWorkOptions): Promise<T> {
    return inTenantTransaction(this.pool, tenantId, work, options);
  }

  /** A transaction of exactly one statement, in one round trip (scope, statement and commit together). */
  statement<T>(tenantId: string, work: (tx: Tx) => Promise<T>, options?: UnitOfWorkOptions): Promise<T> {
    return inTenantStatement(this.pool, tenantId, work, options);
  }

  /** Rows across tenants, as far as the scope's policy lets through (the link_registry and hold_sweeper policies). */
  acrossTenants<T>(scope: CrossTenantScope, work: (db: Queryable) => Promise<T>): Promise<T> {
    return inScopedTransaction(this.pool, scope, work);
  }

  /** Whether the database answers (readiness). */
  async isReachable(): Promise<boolean> {
    return (await this.pool.query('SELECT 1 AS ok')).rows.length === 1;
  }
}
