import type { GraphQLError } from 'graphql';
import type { RequestContext } from '../context/request-context';
import { ErrorCode } from '../platform/errors';
import type { Logger } from '../platform/logger';
import type { Metrics } from '../platform/metrics';
import { maskFormattedError } from '../schema/graphql-errors';
import { restoreOwnCode } from './own-error-codes';

/** What one executed operation leaves behind, whichever path answered it. */
export interface OperationOutcome {
  type: string;
  operationName: string | null | undefined;
  /** The codes of the errors answered, none when it succeeded. */
  errorCodes: readonly string[];
  startedAt: bigint;
}

/**
 * One structured log line and metrics per operation (ids, names, duration and codes, never
 * variables), the same for operations the transport answers itself and for those Apollo answers.
 */
export class OperationLog {
  // The line holds only the fields set below, none of them secret: redaction would cost more than the rest of it.
  private readonly operations: Logger;
  /** The histogram's child per (type, outcome): resolving labels for every observation costs as much as the rest. */
  private readonly durations = new Map<string, { observe(seconds: number): void }>();

  constructor(private readonly metrics: Metrics, logger: Logger, private readonly exposeSqlCount: boolean) {
    this.operations = logger.child({}, { redact: { paths: [] } });
  }

  /** Errors no resolver mapped (those did their own logging), under the request's id. */
  unexpected(ctx: RequestContext, errors: readonly GraphQLError[]): void {
    for (const error of errors) {
      if (maskFormattedError(restoreOwnCode(error.toJSON(), error)).extensions?.code !== ErrorCode.INTERNAL_SERVER_ERROR) continue;
      if (error.extensions?.requestId !== undefined) continue;
      this.operations.error({ requestId: ctx.requestId, err: error.originalError?.message ?? error.message }, 'unexpected GraphQL error');
    }
  }

  /** Logs and counts the operation; `setHeader` receives the statement counts when they are exposed (the bench reads them). */
  answered(ctx: RequestContext, outcome: OperationOutcome, setHeader: (name: string, value: string) => void): void {
    const durationMs = Number(process.hrtime.bigint() - outcome.startedAt) / 1e6;
    const codes = outcome.errorCodes;
    for (const code of codes) this.metrics.errors.inc({ code });
    this.durationOf(outcome.type, codes.length ? 'error' : 'ok').observe(durationMs / 1000);
    this.operations.info({
      requestId: ctx.requestId, tenantId: ctx.principal?.tenantId, operationName: outcome.operationName,
      durationMs: Math.round(durationMs * 100) / 100, errorCodes: codes.length ? codes : undefined, sqlStatements: ctx.statements.count,
    }, 'graphql operation');
    if (this.exposeSqlCount) {
      setHeader('x-sql-statements', String(ctx.statements.count));
      setHeader('x-sql-transactions', String(ctx.statements.transactions));
    }
  }

  private durationOf(type: string, outcome: 'ok' | 'error'): { observe(seconds: number): void } {
    const key = `${type}:${outcome}`;
    let child = this.durations.get(key);
    if (!child) {
      child = this.metrics.operationDuration.labels({ type, outcome });
      this.durations.set(key, child);
    }
    return child;
  }
}
