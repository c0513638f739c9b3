import { GraphQLError, parse, specifiedRules, validate, type ExecutionArgs, type GraphQLSchema } from 'graphql';
import type { Context } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import type { IncomingMessage, Server } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Config } from '../config';
import type { ContextFactory } from '../context/context-factory';
import type { Principal } from '../context/principal';
import { AppError, ErrorCode } from './errors';
import { appErrorToGraphQL } from './graphql-errors';
import { costError, limitValidationRules, type QueryLimits } from './limits';
import type { Logger } from './logger';
import type { Metrics } from './metrics';
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
        if ((state.activeSubscriptions ?? 0) >= deps.config.WS_MAX_SUBSCRIPTIONS) {
          return [limitError(`At most ${deps.config.WS_MAX_SUBSCRIPTIONS} subscriptions per connection`, 'subscriptions', deps.config.WS_MAX_SUBSCRIPTIONS)];
        }
        let document;
        try {
          document = parse(payload.query, { maxTokens: deps.limits.maxTokens });
        } catch (error) {
          return [new GraphQLError(error instanceof GraphQLError ? error.message : 'Syntax error', { extensions: { code: ErrorCode.GRAPHQL_PARSE_FAILED } })];
        }
        const validationErrors = validate(deps.schema, document, rules);
        if (validationErrors.length > 0) return validationErrors.map(withValidationCode);
        const tooCostly = costError(deps.schema, document, payload.variables ?? undefined, payload.operationName ?? undefined, deps.limits.maxCost);
        if (tooCostly) return [tooCostly];
        let contextValue;
        try {
          contextValue = await deps.contexts.forPrincipal(state.principal, remoteAddress(state.request));
        } catch (error) {
          if (error instanceof AppError) return [appErrorToGraphQL(error)];
          throw error;
        }
        state.activeSubscriptions = (state.activeSubscriptions ?? 0) + 1;
        const args: ExecutionArgs = {
          schema: deps.schema, document, variableValues: payload.variables, operationName: payload.operationName, contextValue,
        };
        return args;
      },
      onComplete: (ctx) => {
        ctx.extra.activeSubscriptions = Math.max(0, (ctx.extra.activeSubscriptions ?? 1) - 1);
      },
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
