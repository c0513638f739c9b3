import type { PoolClient } from 'pg';
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { isUuid } from '../platform/ids';
import type { StatementObserver } from './data-source';


/** One database transaction bound to one tenant: every statement in it sees only that tenant's rows. */
export interface Tx {
  readonly tenantId: string;
  readonly manager: EntityManager;
  query<Row = Record<string, unknown>>(sql: string, parameters?: unknown[]): Promise<Row[]>;
  /**
   * A hot statement as a named prepared statement: PostgreSQL parses and plans it once per
   * connection instead of on every call (planning the booking statement costs more than running it).
   */
  prepared<Row = Record<string, unknown>>(name: string, sql: string, parameters: unknown[]): Promise<Row[]>;
  /** Runs after a successful COMMIT (events, cache invalidation); never inside the transaction. */
  afterCommit(effect: () => void): void;
}

export interface UnitOfWorkOptions {
  observer?: StatementObserver;
  onEffectError?: (error: unknown) => void;
}

/**
 * Runs work in a transaction scoped to a tenant by `set_config('app.tenant_id', …, true)`:
 * local to the transaction, so a pooled connection never carries a tenant into the next request.
 */
export async function inTenantTransaction<T>(
  dataSource: DataSource,
  tenantId: string,
  work: (tx: Tx) => Promise<T>,
  options: UnitOfWorkOptions = {},
): Promise<T> {
  if (!isUuid(tenantId)) throw new Error('tenant id must be a UUID');
  const queryRunner = dataSource.createQueryRunner();
  queryRunner.data = { observer: options.observer };
  options.observer?.onTransaction?.();
  await queryRunner.connect();
  try {
    const effects: Array<() => void> = [];
    await beginTenantTransaction(queryRunner, tenantId);
    const result = await work(toTx(queryRunner, tenantId, effects, options.observer));
    await queryRunner.commitTransaction();
    for (const effect of effects) runEffect(effect, options.onEffectError);
    return result;
  } catch (error) {
    if (queryRunner.isTransactionActive) await queryRunner.rollbackTransaction().catch(() => undefined);
    throw error;
  } finally {
    await queryRunner.release();
  }
}

/**
 * BEGIN and set_config travel in one simple-protocol round trip (the id is a validated UUID
 * literal); TypeORM is then told the transaction is open so it neither nests nor commits early.
 */
async function beginTenantTransaction(queryRunner: QueryRunner, tenantId: string): Promise<void> {
  await queryRunner.query(`BEGIN; SELECT set_config('app.tenant_id', '${tenantId}', true)`);
  const state = queryRunner as unknown as { isTransactionActive: boolean; transactionDepth: number };
  state.isTransactionActive = true;
  state.transactionDepth = 1;
}

function toTx(queryRunner: QueryRunner, tenantId: string, effects: Array<() => void>, observer: StatementObserver | undefined): Tx {
  return {
    tenantId,
    manager: queryRunner.manager,
    prepared: async <Row>(name: string, sql: string, parameters: unknown[]) => {
      observer?.onStatement(sql);
      const client = (queryRunner as unknown as { databaseConnection: PoolClient }).databaseConnection;
      return (await client.query({ name, text: sql, values: parameters })).rows as Row[];
    },
    // Structured results: TypeORM otherwise answers UPDATE/DELETE with [rows, count] instead of rows.
    query: async (sql, parameters) => (await queryRunner.query(sql, parameters, true)).records,
    afterCommit: (effect) => effects.push(effect),
  };
}

function runEffect(effect: () => void, onError: ((error: unknown) => void) | undefined): void {
  try {
    effect();
  } catch (error) {
    onError?.(error);
  }
}
