import { GraphQLError, parse, specifiedRules, validate, type ExecutionArgs, type GraphQLSchema, type ValidationRule } from 'graphql';
import type { Context, SubscribePayload } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import type { IncomingMessage, Server } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Config } from '../config';
import type { ContextFactory } from '../context/context-factory';
import type { Principal } from '../context/principal';
import { AppError, ErrorCode, unauthenticated } from './errors';
import { appErrorToGraphQL, toClientError } from './graphql-errors';
import { costError, limitValidationRules, type QueryLimits } from './limits';
import type { Logger } from './logger';
import type { Metrics } from './metrics';
import { variableErrors } from './variables';
import type { Authenticator } from '../services/identity/authenticator';

type ConnectionState = {
  socket: WebSocket;
  request: IncomingMessage;
  principal?: Principal;
  activeSubscriptions: number;
};

export interface WebSocketDeps {
  config: Config;
  schema: GraphQLSchema;
  limits: QueryLimits;
  authenticator: Authenticator;
  contexts: ContextFactory;
  logger: Logger;
  metrics: Metrics;
}

/**
 * graphql-ws on the same port and path as HTTP, under the same limits: the token comes in
 * connectionParams (a bad or missing one closes with 4403), and each subscribe message is
 * parsed with the token limit, validated with the depth and alias rules and costed.
 */
export function attachGraphqlWebSocket(httpServer: Server, path: string, deps: WebSocketDeps): { close(): Promise<void> } {
  const wsServer = new WebSocketServer({ server: httpServer, path, maxPayload: deps.config.WS_MAX_MESSAGE_BYTES });
  const rules = [...specifiedRules, ...limitValidationRules(deps.limits)];
  const cleanup = useServer<Record<string, unknown> | undefined, ConnectionState>(
    {
      schema: deps.schema,
      connectionInitWaitTimeout: deps.config.WS_INIT_TIMEOUT_MS,
      onConnect: async (ctx) => {
        const principal = await authenticateConnection(deps.authenticator, ctx.connectionParams);
        if (!principal) return false;
        ctx.extra.principal = principal;
        ctx.extra.activeSubscriptions = 0;
        deps.metrics.websocketConnections.inc();
        return true;
      },
      onSubscribe: async (ctx, _id, payload) => {
        const state = ctx.extra;
        // Reserve the slot before any await: otherwise a burst of subscribe messages all pass the check.
        if ((state.activeSubscriptions ?? 0) >= deps.config.WS_MAX_SUBSCRIPTIONS) {
          return [limitError(`At most ${deps.config.WS_MAX_SUBSCRIPTIONS} subscriptions per connection`, 'subscriptions', deps.config.WS_MAX_SUBSCRIPTIONS)];
        }
        state.activeSubscriptions = (state.activeSubscriptions ?? 0) + 1;
        // A token revoked since the connection opened may not start anything new.
        if (!state.principal || !(await deps.authenticator.stillValid(state.principal))) {
          state.activeSubscriptions -= 1;
          return [appErrorToGraphQL(unauthenticated('Token revoked'))];
        }
        const rejected = await prepareOperation(deps, rules, state, payload);
        if (Array.isArray(rejected)) state.activeSubscriptions -= 1;
        return rejected;
      },
      onComplete: (ctx) => {
        ctx.extra.activeSubscriptions = Math.max(0, (ctx.extra.activeSubscriptions ?? 1) - 1);
      },
      // Whatever a subscription emits leaves through the same masking as HTTP responses.
      onNext: (_ctx, _id, _payload, args, result) => {
        if (!result.errors?.length) return;
        const requestId = (args.contextValue as { requestId?: string } | undefined)?.requestId ?? 'unknown';
        return { ...result, errors: result.errors.map((error) => maskForClient(error, requestId, deps.logger).toJSON()) };
      },
      onError: (_ctx, _id, _payload, errors) => errors.map((error) => maskForClient(error, 'unknown', deps.logger).toJSON()),
    },
    wsServer,
  );
  return {
    close: async () => {
      await cleanup.dispose();
      await new Promise<void>((resolve) => wsServer.close(() => resolve()));
    },
  };
}

/** Parse with the token limit, validate with the limit rules, cost, and build the operation's context. */
async function prepareOperation(
  deps: WebSocketDeps, rules: ValidationRule[], state: Partial<ConnectionState> & { request: IncomingMessage }, payload: SubscribePayload,
): Promise<ExecutionArgs | GraphQLError[]> {
  let document;
  try {
    document = parse(payload.query, { maxTokens: deps.limits.maxTokens });
  } catch (error) {
    return [new GraphQLError(error instanceof GraphQLError ? error.message : 'Syntax error', { extensions: { code: ErrorCode.GRAPHQL_PARSE_FAILED } })];
  }
  const validationErrors = validate(deps.schema, document, rules);
  if (validationErrors.length > 0) return validationErrors.map(withValidationCode);
  const badVariables = variableErrors(deps.schema, document, payload.operationName, payload.variables);
  if (badVariables.length > 0) return badVariables;
  const tooCostly = costError(deps.schema, document, payload.variables ?? undefined, payload.operationName ?? undefined, deps.limits.maxCost);
  if (tooCostly) return [tooCostly];
  try {
    const contextValue = await deps.contexts.forPrincipal(state.principal, remoteAddress(state.request));
    return { schema: deps.schema, document, variableValues: payload.variables, operationName: payload.operationName, contextValue };
  } catch (error) {
    if (error instanceof AppError) return [appErrorToGraphQL(error)];
    throw error;
  }
}

function maskForClient(error: GraphQLError, requestId: string, logger: Logger): GraphQLError {
  const mapped = toClientError(error, requestId);
  if (mapped.unexpected) logger.error({ err: error.message, requestId }, 'unexpected subscription error');
  return mapped.error;
}

async function authenticateConnection(authenticator: Authenticator, params: Record<string, unknown> | undefined): Promise<Principal | undefined> {
  const authorization = params?.authorization ?? params?.Authorization;
  if (typeof authorization !== 'string') return undefined;
  try {
    return await authenticator.authenticate(authorization);
  } catch {
    return undefined;
  }
}

function limitError(message: string, limit: string, max: number): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.QUERY_TOO_COMPLEX, limit, max } });
}

function withValidationCode(error: GraphQLError): GraphQLError {
  if (error.extensions?.code) return error;
  return new GraphQLError(error.message, { nodes: error.nodes, extensions: { code: ErrorCode.GRAPHQL_VALIDATION_FAILED } });
}

function remoteAddress(request: IncomingMessage): string {
  return request.socket.remoteAddress ?? 'unknown';
}

export type { Context as WebSocketContext };
