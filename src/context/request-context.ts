import { randomUUID } from 'node:crypto';
import type { TenantDatabase } from '../db/tenant-database';
import type { StatementObserver, Tx, UnitOfWorkOptions } from '../db/unit-of-work';
import { unauthenticated } from '../platform/errors';
import type { Logger } from '../platform/logger';
import { ownPartnerOf, type Principal } from './principal';

/**
 * Counts the statements of one request (transaction control and tenant scoping are not reported),
 * and its transactions apart: each costs round trips and, when it writes, a durable commit of its own.
 */
export class StatementCounter implements StatementObserver {
  count = 0;
  transactions = 0;
  onStatement(): void {
    this.count += 1;
  }
  onTransaction(): void {
    this.transactions += 1;
  }
}

/**
 * Everything one request (or one WebSocket subscription event) carries: who calls, for which
 * tenant, its logger and its per-request caches. Services take it as their first argument.
 */
export class RequestContext {
  readonly statements = new StatementCounter();
  private memo?: Map<symbol, unknown>;
  private childLogger?: Logger;

  constructor(
    private readonly database: TenantDatabase,
    readonly principal: Principal | undefined,
    private readonly baseLogger: Logger,
    private id?: string,
  ) {}

  /**
   * Given by the HTTP transport (its answers and log lines carry it from the first byte), else made
   * on first use: a live subscription keeps its context for hours and seldom logs or fails, and each
   * id costs a few hundred bytes (randomUUID's string is a tree of concatenations).
   */
  get requestId(): string {
    return (this.id ??= randomUUID());
  }

  /** Built on first use: most requests log one line or none, and a live subscription keeps its context for hours. */
  get logger(): Logger {
    return (this.childLogger ??= this.baseLogger.child({ requestId: this.requestId, tenantId: this.principal?.tenantId }));
  }

  get tenantId(): string {
    if (!this.principal) throw unauthenticated();
    return this.principal.tenantId;
  }

  /** The caller's principal, or UNAUTHENTICATED. */
  get caller(): Principal {
    if (!this.principal) throw unauthenticated();
    return this.principal;
  }

  /** A transaction scoped to the caller's tenant (and, for a partner user or app, to its partner). */
  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.database.transaction(this.tenantId, work, this.unitOfWork());
  }

  /**
   * A transaction of exactly one statement, in one round trip: the tenant scope, the statement and
   * the commit travel together. Its Tx takes that one statement; the answer arrives committed.
   */
  singleStatement<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.database.statement(this.tenantId, work, this.unitOfWork());
  }

  private unitOfWork(): UnitOfWorkOptions {
    return {
      observer: this.statements,
      onEffectError: (error) => this.logger.error({ err: describe(error) }, 'after-commit effect failed'),
      partnerId: ownPartnerOf(this.caller),
    };
  }

  /** A per-request singleton (DataLoaders): built on first use, gone with the request. */
  memoize<T>(key: symbol, build: () => T): T {
    const memo = (this.memo ??= new Map<symbol, unknown>());
    if (!memo.has(key)) memo.set(key, build());
    return memo.get(key) as T;
  }

  /** A fresh context for the same caller, e.g. for each subscription event (no stale caches). */
  fork(): RequestContext {
    return new RequestContext(this.database, this.principal, this.baseLogger);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
