import * as pg from 'pg';
import type { Pool, PoolClient } from 'pg';
import type { DataSource } from 'typeorm';
import { isUuid } from '../platform/ids';
import type { StatementObserver } from './data-source';
import type { Tx, UnitOfWorkOptions } from './unit-of-work';

/** Scopes the implicit transaction to the tenant; unnamed, so it never competes with named statements for a connection's slots. */
const SCOPE_SQL = "SELECT set_config('app.tenant_id', $1, true)";

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

  constructor(name: string | undefined, text: string, values: unknown[], private readonly tenantId: string, callback: QueryCallback) {
    super({ name, text, values, callback });
  }

  override prepare(connection: PgConnection): void {
    if (this.name && !this.hasBeenParsed(connection)) {
      connection.parse({ text: this.text, name: this.name, types: this.types });
      connection.submittedNamedStatements[this.name] = this.text;
    }
    connection.parse({ text: SCOPE_SQL, name: '' });
    connection.bind({ statement: '', portal: '', values: [this.tenantId] });
    connection.execute({ portal: '' });
    // An ad-hoc statement is parsed unnamed after the scope (the unnamed slot holds one at a time).
    if (!this.name) connection.parse({ text: this.text, name: '' });
    connection.bind({ statement: this.name ?? '', portal: '', values: this.values, valueMapper: prepareValue });
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
export async function inTenantStatement<T>(
  dataSource: DataSource,
  tenantId: string,
  work: (tx: Tx) => Promise<T>,
  options: UnitOfWorkOptions = {},
): Promise<T> {
  if (!isUuid(tenantId)) throw new Error('tenant id must be a UUID');
  const effects: Array<() => void> = [];
  let used = false;
  const run = async <Row>(name: string | undefined, sql: string, parameters: unknown[]): Promise<Row[]> => {
    if (used) throw new Error('a single-statement transaction takes one statement');
    used = true;
    return runScoped<Row>(poolOf(dataSource), tenantId, name, sql, parameters, options.observer);
  };
  const tx: Tx = {
    tenantId,
    get manager(): never {
      throw new Error('a single-statement transaction has no entity manager');
    },
    prepared: run,
    query: (sql, parameters) => run(undefined, sql, parameters ?? []),
    afterCommit: (effect) => effects.push(effect),
  };
  const result = await work(tx);
  for (const effect of effects) {
    try {
      effect();
    } catch (error) {
      options.onEffectError?.(error);
    }
  }
  return result;
}

async function runScoped<Row>(pool: Pool, tenantId: string, name: string | undefined, sql: string, parameters: unknown[], observer?: StatementObserver): Promise<Row[]> {
  observer?.onTransaction?.();
  observer?.onStatement(sql);
  const client: PoolClient = await pool.connect();
  // A connection left inside a transaction block would swallow the Sync's commit: never use one.
  if ((client as unknown as { getTransactionStatus(): string | null }).getTransactionStatus() !== 'I') {
    client.release(new Error('pooled connection was inside a transaction'));
    throw new Error('pooled connection was inside a transaction');
  }
  let broken: Error | undefined;
  try {
    return await new Promise<Row[]>((resolve, reject) => {
      client.query(new ScopedStatement(name, sql, parameters, tenantId, (error, result) => (error ? reject(error) : resolve(result!.rows as Row[]))) as never);
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

function poolOf(dataSource: DataSource): Pool {
  return (dataSource.driver as unknown as { master: Pool }).master;
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
}
type QueryCallback = (error: Error | null, result?: { rows: unknown[] }) => void;
type QueryClass = new (config: { name?: string; text: string; values: unknown[]; callback: QueryCallback }) => QueryInternals;

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { prepareValue } = require('pg/lib/utils') as { prepareValue: (value: unknown) => unknown };
