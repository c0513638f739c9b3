import * as pg from 'pg';
import type { Pool, PoolClient } from 'pg';
import { assertTenantId, runAfterCommit, type StatementObserver, type Tx, type UnitOfWorkOptions } from './unit-of-work';

/**
 * Scopes the implicit transaction to the tenant and, for a partner principal, the partner (empty:
 * none); unnamed, so it never competes with named statements for a connection's slots.
 */
const SCOPE_SQL = "SELECT set_config('app.tenant_id', $1, true), set_config('app.partner_id', $2, true)";

/**
 * One named prepared statement preceded by the tenant scope, written as one batch of extended-query
 * messages closed by a single Sync: [Parse], Parse/Bind/Execute of set_config, Bind/Describe/Execute
 * of the statement, Sync. PostgreSQL runs everything before a Sync in one implicit transaction and
 * commits it at the Sync, as durably as a COMMIT: the whole transaction costs one round trip
 * instead of three (BEGIN + set_config, the statement, COMMIT).
 * The statement's Parse goes first, so that the client's bookkeeping of parsed statements (it
 * records the query's name on every ParseComplete) is only ever told of a Parse that succeeded.
 * The rows and CommandComplete of set_config are the first ones to arrive, and are dropped.
 */
class ScopedStatement extends (pg.Query as unknown as QueryClass) {
  private scopePending = true;

  constructor(name: string | undefined, text: string, values: unknown[], private readonly scope: [tenantId: string, partnerId: string], callback: QueryCallback) {
    super({ name, text, values, callback });
  }

  override prepare(connection: PgConnection): void {
    if (this.name && !this.hasBeenParsed(connection)) {
      connection.parse({ text: this.text, name: this.name, types: this.types });
      connection.submittedNamedStatements[this.name] = this.text;
    }
    connection.parse({ text: SCOPE_SQL, name: '' });
    connection.bind({ statement: '', portal: '', values: this.scope });
    connection.execute({ portal: '' });
    // An ad-hoc statement is parsed unnamed after the scope (the unnamed slot holds one at a time).
    if (!this.name) connection.parse({ text: this.text, name: '' });
    try {
      connection.bind({ statement: this.name ?? '', portal: '', values: this.values, valueMapper: prepareValue });
    } catch (error) {
      // As pg does itself: a value that cannot be converted fails this query, and the Sync still
      // closes the batch so the connection answers and is not left waiting (the caller discards it).
      connection.sync();
      this.handleError(error, connection);
      return;
    }
    connection.describe({ type: 'P', name: '' });
    connection.execute({ portal: '' });
    connection.sync();
  }

  override handleDataRow(message: unknown): void {
    if (!this.scopePending) super.handleDataRow(message);
  }

  override handleCommandComplete(message: unknown, connection: PgConnection): void {
    if (this.scopePending) this.scopePending = false;
    else super.handleCommandComplete(message, connection);
  }
}

/**
 * A transaction of exactly one statement, scoped to a tenant, in one round trip (see ScopedStatement).
 * The Tx it hands out takes that one statement (prepared or not) and nothing more: its answer comes
 * back committed. Effects registered with afterCommit run once the work returns.
 */
export async function inTenantStatement<T>(pool: Pool, tenantId: string, work: (tx: Tx) => Promise<T>, options: UnitOfWorkOptions = {}): Promise<T> {
  assertTenantId(tenantId);
  if (options.partnerId !== undefined) assertTenantId(options.partnerId);
  const scope: [string, string] = [tenantId, options.partnerId ?? ''];
  const effects: Array<() => void> = [];
  let used = false;
  const run = async <Row>(name: string | undefined, sql: string, parameters: unknown[]): Promise<Row[]> => {
    if (used) throw new Error('a single-statement transaction takes one statement');
    used = true;
    return runScoped<Row>(pool, scope, name, sql, parameters, options.observer);
  };
  const tx: Tx = {
    tenantId,
    prepared: run,
    query: (sql, parameters) => run(undefined, sql, parameters ?? []),
    afterCommit: (effect) => effects.push(effect),
  };
  const result = await work(tx);
  runAfterCommit(effects, options.onEffectError);
  return result;
}

async function runScoped<Row>(pool: Pool, scope: [string, string], name: string | undefined, sql: string, parameters: unknown[], observer?: StatementObserver): Promise<Row[]> {
  observer?.onTransaction?.();
  observer?.onStatement(sql);
  const client: PoolClient = await pool.connect();
  // A connection left inside a transaction block would swallow the Sync's commit: never use one.
  if (client.getTransactionStatus() !== 'I') {
    client.release(new Error('pooled connection was inside a transaction'));
    throw new Error('pooled connection was inside a transaction');
  }
  let broken: Error | undefined;
  try {
    return await new Promise<Row[]>((resolve, reject) => {
      client.query(new ScopedStatement(name, sql, parameters, scope, (error, result) => (error ? reject(error) : resolve(result!.rows as Row[]))) as never);
    });
  } catch (error) {
    // An answer from the server (a constraint, a failed check) leaves the connection usable; anything else does not.
    if (!isServerError(error)) broken = error as Error;
    throw error;
  } finally {
    client.release(broken);
  }
}

function isServerError(error: unknown): boolean {
  return typeof (error as { code?: unknown }).code === 'string' && typeof (error as { severity?: unknown }).severity === 'string';
}

// pg's internals used above: the connection's message writers and its record of parsed statements.
interface PgConnection {
  parse(message: { text: string; name: string; types?: unknown }): void;
  bind(message: { statement: string; portal: string; values: unknown[]; valueMapper?: unknown }): void;
  describe(message: { type: 'P'; name: string }): void;
  execute(message: { portal: string }): void;
  sync(): void;
  submittedNamedStatements: Record<string, string>;
}

/** pg's Query as its source defines it (the type definitions leave out the protocol hooks). */
interface QueryInternals {
  name?: string;
  text: string;
  values: unknown[];
  types?: unknown;
  hasBeenParsed(connection: PgConnection): boolean;
  prepare(connection: PgConnection): void;
  handleDataRow(message: unknown): void;
  handleCommandComplete(message: unknown, connection: PgConnection): void;
  handleError(error: unknown, connection: PgConnection): void;
}
type QueryCallback = (error: Error | null, result?: { rows: unknown[] }) => void;
type QueryClass = new (config: { name?: string; text: string; values: unknown[]; callback: QueryCallback }) => QueryInternals;

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { prepareValue } = require('pg/lib/utils') as { prepareValue: (value: unknown) => unknown };

/**
 * The pg release whose Query and Connection internals ScopedStatement was written against. A test
 * compares it with the installed pg: an upgrade fails CI until these internals are read again.
 */
export const PG_RELEASE_CHECKED = '8.23.1';

/** Fails at start, not on the first booking, when pg no longer has the hooks ScopedStatement overrides. */
function assertPgInternals(): void {
  const hooks = ['prepare', 'hasBeenParsed', 'handleDataRow', 'handleCommandComplete', 'handleError'];
  const missing = hooks.filter((hook) => typeof (pg.Query.prototype as unknown as Record<string, unknown>)[hook] !== 'function');
  if (missing.length > 0 || typeof prepareValue !== 'function') {
    throw new Error(`pg's Query lacks ${[...missing, ...(typeof prepareValue === 'function' ? [] : ['utils.prepareValue'])].join(', ')}: the single-statement transaction needs pg ${PG_RELEASE_CHECKED}'s internals`);
  }
}
assertPgInternals();
