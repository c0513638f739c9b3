import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled, ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginSchemaReportingDisabled, ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import type { GraphQLSchema } from 'graphql';
import type { Server } from 'node:http';
import type { Config } from '../config';
import type { RequestContext } from '../context/request-context';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { compiledExecution } from './compiled-execution';
import { maskFormattedError } from '../schema/graphql-errors';
import { ErrorCode } from '../platform/errors';
import type { QueryLimits } from './limits/query-limits';
import type { Logger } from '../platform/logger';
import type { Metrics } from '../platform/metrics';
import type { OperationGate } from './operation-gate';

export function queryLimitsOf(config: Config): QueryLimits {
  return {
    maxDepth: config.MAX_DEPTH, maxAliases: config.MAX_ALIASES, maxDirectives: config.MAX_DIRECTIVES, maxCost: config.MAX_COST, maxTokens: config.MAX_TOKENS,
  };
}

/**
 * Apollo executes what the operation gate admitted: the HTTP transport (graphql-http.ts) signs the
 * caller in and passes every request through the gate before it gets here, and nothing else hands
 * Apollo a request. Its own validation carries the gate's rules as a second wall.
 */
export function createApolloServer(schema: GraphQLSchema, config: Config, httpServer: Server, gate: OperationGate, metrics: Metrics, logger: Logger): ApolloServer<RequestContext> {
  const limits = queryLimitsOf(config);
  return new ApolloServer<RequestContext>({
    gateway: compiledExecution(schema),
    introspection: config.INTROSPECTION,
    csrfPrevention: true,
    // main.ts owns SIGINT/SIGTERM: one orderly shutdown (WebSocket, HTTP, bus, database) instead of two racing ones.
    stopOnTerminationSignals: false,
    allowBatchedHttpRequests: false,
    // Every request's text passes the operation gate before Apollo; a cached text would skip it.
    persistedQueries: false,
    includeStacktraceInErrorResponses: false,
    hideSchemaDetailsFromClientErrors: config.isProduction,
    parseOptions: { maxTokens: limits.maxTokens },
    validationRules: [...gate.validationRules],
    formatError: (formatted, error) => maskFormattedError(restoreOwnCode(formatted, error)),
    plugins: [
      // Apollo installs these by default; we use none of them and cache-control alone is costly per field.
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginInlineTraceDisabled(),
      ApolloServerPluginUsageReportingDisabled(),
      ApolloServerPluginSchemaReportingDisabled(),
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginDrainHttpServer({ httpServer }),
      observability(metrics, logger, config.DEBUG_SQL_COUNT),
    ],
  });
}

/** One structured log line and metrics per operation: ids, names, duration and codes, never variables. */
function observability(metrics: Metrics, logger: Logger, exposeSqlCount: boolean): ApolloServerPlugin<RequestContext> {
  // The line holds only the fields set below, none of them secret: redaction would cost more than the rest of it.
  const operations = logger.child({}, { redact: { paths: [] } });
  return {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      return {
        // Errors no resolver mapped (those did their own logging): logged here under the request's id.
        async didEncounterErrors({ contextValue: ctx, errors }) {
          for (const error of errors) {
            if (maskFormattedError(restoreOwnCode(error.toJSON(), error)).extensions?.code !== ErrorCode.INTERNAL_SERVER_ERROR) continue;
            if (error.extensions?.requestId !== undefined) continue;
            operations.error({ requestId: ctx.requestId, err: error.originalError?.message ?? error.message }, 'unexpected GraphQL error');
          }
        },
        async willSendResponse({ contextValue: ctx, response, operation, operationName, errors }) {
          // Every error answered carries the id its log line carries.
          if (response.body.kind === 'single' && response.body.singleResult.errors?.length) {
            response.http.headers.set('x-request-id', ctx.requestId);
            for (const error of response.body.singleResult.errors) {
              (error as { extensions?: Record<string, unknown> }).extensions = { ...error.extensions, requestId: ctx.requestId };
            }
          }
          const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
          const codes = (errors ?? []).map((e) => String(e.extensions?.code ?? 'INTERNAL_SERVER_ERROR'));
          for (const code of codes) metrics.errors.inc({ code });
          metrics.operationDuration.observe({ type: operation?.operation ?? 'unknown', outcome: codes.length ? 'error' : 'ok' }, durationMs / 1000);
          operations.info({ requestId: ctx.requestId, tenantId: ctx.principal?.tenantId, operationName, durationMs: Math.round(durationMs * 100) / 100, errorCodes: codes.length ? codes : undefined, sqlStatements: ctx.statements.count }, 'graphql operation');
          if (exposeSqlCount) {
            response.http.headers.set('x-sql-statements', String(ctx.statements.count));
            response.http.headers.set('x-sql-transactions', String(ctx.statements.transactions));
          }
        },
      };
    },
  };
}

/** Codes careslot's validation rules set and Apollo re-labels GRAPHQL_VALIDATION_FAILED: they keep their own. */
const OWN_VALIDATION_CODES = new Set<unknown>([ErrorCode.QUERY_TOO_COMPLEX, ErrorCode.BAD_USER_INPUT]);

function restoreOwnCode(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = (error as { originalError?: unknown } | undefined)?.originalError;
  if (original instanceof GraphQLError && OWN_VALIDATION_CODES.has(original.extensions?.code)) {
    return { ...formatted, extensions: { ...original.extensions } };
  }
  // Apollo's own name for "no such operation" (several operations and no operationName, an unknown one).
  if (formatted.extensions?.code === 'OPERATION_RESOLUTION_FAILURE') return { ...formatted, extensions: { ...formatted.extensions, code: ErrorCode.BAD_REQUEST } };
  return formatted;
}
