import type { Pool, PoolClient } from 'pg';
import { isUuid } from '../platform/ids';

/** Sends SQL and answers rows: what a data-layer function needs, and nothing more. */
export interface Queryable {
  query<Row = Record<string, unknown>>(sql: string, parameters?: unknown[]): Promise<Row[]>;
}

/** One database transaction bound to one tenant: every statement in it sees only that tenant's rows. */
export interface Tx extends Queryable {
  readonly tenantId: string;
  /**
   * A hot statement as a named prepared statement: PostgreSQL parses and plans it once per
   * connection instead of on every call (planning the booking statement costs more than running it).
   */
  prepared<Row = Record<string, unknown>>(name: string, sql: string, parameters: unknown[]): Promise<Row[]>;
  /** Runs after a successful COMMIT (events, cache invalidation); never inside the transaction. */
  afterCommit(effect: () => void): void;
}

/** Counts the statements each unit of work sends, so tests and benchmarks can hold the line on N+1. */
export interface StatementObserver {
  /** Each statement of the work (transaction control and tenant scoping are not reported). */
  onStatement(sql: string): void;
  /** Each transaction a unit of work opens (its own round trips: scope and commit at least). */
  onTransaction?(): void;
}

export interface UnitOfWorkOptions {
  observer?: StatementObserver;
  onEffectError?: (error: unknown) => void;
  /**
   * Narrows the transaction to one partner of the tenant (`app.partner_id`): the partner_scope
   * policies then show only that partner's rows. Set for partner users and partner apps.
   */
  partnerId?: string;
}

/**
 * Runs work in a transaction scoped to a tenant by `set_config('app.tenant_id', …, true)` (and to
 * a partner, when given): local to the transaction, so a pooled connection never carries a scope
 * into the next request. BEGIN and the scope travel in one simple-protocol round trip (the ids are
 * validated UUID literals).
 */
export async function inTenantTransaction<T>(pool: Pool, tenantId: string, work: (tx: Tx) => Promise<T>, options: UnitOfWorkOptions = {}): Promise<T> {
  assertTenantId(tenantId);
  if (options.partnerId !== undefined) assertTenantId(options.partnerId);
  options.observer?.onTransaction?.();
  const effects: Array<() => void> = [];
  const partnerScope = options.partnerId ? `, set_config('app.partner_id', '${options.partnerId}', true)` : '';
  const result = await inTransaction(pool, `BEGIN; SELECT set_config('app.tenant_id', '${tenantId}', true)${partnerScope}`, (client) =>
    work(tenantTx(client, tenantId, effects, options.observer)));
  runAfterCommit(effects, options.onEffectError);
  return result;
}

/** The named scopes a row-level-security policy recognises: the link registry, the hold sweeper, the partner feed's window sweep. */
export type CrossTenantScope = 'link-registry' | 'hold-sweeper' | 'partner-feed-sweeper' | 'engagement-index';

/**
 * A transaction under a named scope that a row-level-security policy recognises (e.g. the link
 * registry, which reads ids across tenants): no tenant, and only what that policy lets through.
 */
export function inScopedTransaction<T>(pool: Pool, scope: CrossTenantScope, work: (db: Queryable) => Promise<T>): Promise<T> {
  return inTransaction(pool, `BEGIN; SELECT set_config('app.scope', '${scope}', true)`, (client) => work(queryableOf(client)));
}

export function assertTenantId(tenantId: string): void {
  if (!isUuid(tenantId)) throw new Error('tenant id must be a UUID');
}

/** Runs effects registered with afterCommit; one that throws is reported and does not stop the rest. */
export function runAfterCommit(effects: Array<() => void>, onError: ((error: unknown) => void) | undefined): void {
  for (const effect of effects) {
    try {
      effect();
    } catch (error) {
      onError?.(error);
    }
  }
}

async function inTransaction<T>(pool: Pool, begin: string, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query(begin);
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    // A connection that cannot even roll back is closed instead of going back to the pool.
    if (client.getTransactionStatus() !== 'I') await client.query('ROLLBACK').catch((rollbackError: Error) => { broken = rollbackError; });
    throw error;
  } finally {
    client.release(broken);
  }
}

function queryableOf(client: PoolClient): Queryable {
  return { query: async <Row>(sql: string, parameters?: unknown[]) => (await client.query(sql, parameters)).rows as Row[] };
}

function tenantTx(client: PoolClient, tenantId: string, effects: Array<() => void>, observer: StatementObserver | undefined): Tx {
  return {
    tenantId,
    query: async <Row>(sql: string, parameters?: unknown[]) => {
      observer?.onStatement(sql);
      return (await client.query(sql, parameters)).rows as Row[];
    },
    prepared: async <Row>(name: string, sql: string, parameters: unknown[]) => {
      observer?.onStatement(sql);
      return (await client.query({ name, text: sql, values: parameters })).rows as Row[];
    },
    afterCommit: (effect) => effects.push(effect),
  };
}
