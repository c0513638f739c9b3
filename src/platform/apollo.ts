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
import { appErrorToGraphQL, maskFormattedError } from './graphql-errors';
import { ErrorCode } from './errors';
import { unauthenticated } from './errors';
import { isIntrospectionOnly } from './introspection';
import { costError, limitValidationRules, type QueryLimits } from './limits';
import type { Logger } from './logger';
import type { Metrics } from './metrics';

export function queryLimitsOf(config: Config): QueryLimits {
  return { maxDepth: config.MAX_DEPTH, maxAliases: config.MAX_ALIASES, maxCost: config.MAX_COST, maxTokens: config.MAX_TOKENS };
}

export function createApolloServer(schema: GraphQLSchema, config: Config, httpServer: Server, metrics: Metrics, logger: Logger): ApolloServer<RequestContext> {
  const limits = queryLimitsOf(config);
  return new ApolloServer<RequestContext>({
    gateway: compiledExecution(schema),
    introspection: config.INTROSPECTION,
    csrfPrevention: true,
    // main.ts owns SIGINT/SIGTERM: one orderly shutdown (WebSocket, HTTP, bus, database) instead of two racing ones.
    stopOnTerminationSignals: false,
    allowBatchedHttpRequests: false,
    includeStacktraceInErrorResponses: false,
    hideSchemaDetailsFromClientErrors: config.isProduction,
    parseOptions: { maxTokens: limits.maxTokens },
    validationRules: limitValidationRules(limits),
    formatError: (formatted, error) => maskFormattedError(restoreLimitCode(formatted, error)),
    plugins: [
      // Apollo installs these by default; we use none of them and cache-control alone is costly per field.
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginInlineTraceDisabled(),
      ApolloServerPluginUsageReportingDisabled(),
      ApolloServerPluginSchemaReportingDisabled(),
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginDrainHttpServer({ httpServer }),
      operationGuard(limits),
      observability(metrics, logger, config.DEBUG_SQL_COUNT),
    ],
  });
}

/** Anonymous callers may only introspect; every operation must fit the cost limit. */
function operationGuard(limits: QueryLimits): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ contextValue, operation, document, request, schema }) {
          if (!contextValue.principal && !(operation && isIntrospectionOnly(operation))) throw appErrorToGraphQL(unauthenticated());
          const tooCostly = costError(schema, document, request.variables, request.operationName, limits.maxCost);
          if (tooCostly) throw withHttpStatus(tooCostly, 400);
        },
      };
    },
  };
}

/** One structured log line and metrics per operation: ids, names, duration and codes, never variables. */
function observability(metrics: Metrics, logger: Logger, exposeSqlCount: boolean): ApolloServerPlugin<RequestContext> {
  // The line holds only the fields set below, none of them secret: redaction would cost more than the rest of it.
  const operations = logger.child({}, { redact: { paths: [] } });
  return {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      return {
        async willSendResponse({ contextValue: ctx, response, operation, operationName, errors }) {
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

/** Apollo re-labels errors from validation rules GRAPHQL_VALIDATION_FAILED; a broken limit keeps its own code. */
function restoreLimitCode(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = (error as { originalError?: unknown } | undefined)?.originalError;
  if (original instanceof GraphQLError && original.extensions?.code === ErrorCode.QUERY_TOO_COMPLEX) {
    return { ...formatted, extensions: { ...original.extensions } };
  }
  return formatted;
}

function withHttpStatus(error: GraphQLError, status: number): GraphQLError {
  return new GraphQLError(error.message, { extensions: { ...error.extensions, http: { status } } });
}
