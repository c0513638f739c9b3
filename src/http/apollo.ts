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
import type { CompiledExecution } from './compiled-execution';
import { maskFormattedError } from '../schema/graphql-errors';
import type { QueryLimits } from './limits/query-limits';
import type { OperationGate } from './operation-gate';
import type { OperationLog } from './operation-log';
import { restoreOwnCode } from './own-error-codes';

export function queryLimitsOf(config: Config): QueryLimits {
  return {
    maxDepth: config.MAX_DEPTH, maxAliases: config.MAX_ALIASES, maxDirectives: config.MAX_DIRECTIVES, maxCost: config.MAX_COST, maxTokens: config.MAX_TOKENS,
  };
}

/**
 * Apollo executes what the operation gate admitted and the transport did not answer itself (GET
 * requests, unusual bodies, variables that do not coerce, and the error path of every operation):
 * the HTTP transport (graphql-http.ts) signs the caller in and passes every request through the gate
 * before it gets here, and nothing else hands Apollo a request. Its own validation carries the
 * gate's rules as a second wall.
 */
export function createApolloServer(
  schema: GraphQLSchema, config: Config, httpServer: Server, gate: OperationGate, execution: CompiledExecution, operationLog: OperationLog,
): ApolloServer<RequestContext> {
  const limits = queryLimitsOf(config);
  return new ApolloServer<RequestContext>({
    gateway: execution.gateway(),
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
      observability(operationLog, execution),
    ],
  });
}

/** The operation log for what Apollo answers; every error answered carries the id its log line carries. */
function observability(operationLog: OperationLog, execution: CompiledExecution): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart({ contextValue }) {
      // A replayed result was computed by the transport: its operation started there.
      const startedAt = execution.replayStartedAt(contextValue) ?? process.hrtime.bigint();
      return {
        async didEncounterErrors({ contextValue: ctx, errors }) {
          operationLog.unexpected(ctx, errors);
        },
        async willSendResponse({ contextValue: ctx, response, operation, operationName, errors }) {
          if (response.body.kind === 'single' && response.body.singleResult.errors?.length) {
            response.http.headers.set('x-request-id', ctx.requestId);
            for (const error of response.body.singleResult.errors) {
              (error as { extensions?: Record<string, unknown> }).extensions = { ...error.extensions, requestId: ctx.requestId };
            }
          }
          const errorCodes = (errors ?? []).map((e) => String(e.extensions?.code ?? 'INTERNAL_SERVER_ERROR'));
          operationLog.answered(ctx, { type: operation?.operation ?? 'unknown', operationName, errorCodes, startedAt }, (name, value) => response.http.headers.set(name, value));
        },
      };
    },
  };
}
