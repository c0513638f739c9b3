import { GraphQLError, subscribe, type ExecutionArgs, type ExecutionResult, type FormattedExecutionResult, type GraphQLSchema } from 'graphql';
import type { Context, SubscribePayload } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import type { IncomingMessage, Server } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Config } from '../config';
import type { ContextFactory } from '../context/context-factory';
import type { Principal } from '../context/principal';
import type { RequestContext } from '../context/request-context';
import { audienceKey } from '../context/audience';
import { AppError, ErrorCode, unauthenticated } from '../platform/errors';
import { appErrorToGraphQL, toClientError } from '../schema/graphql-errors';
import { tooComplex } from './limits/query-limits';
import type { Logger } from '../platform/logger';
import type { Metrics } from '../platform/metrics';
import type { OperationGate } from './operation-gate';
import { SubscriptionFanout, type SubscriptionTarget } from './subscription-fanout';
import { variableErrors } from '../schema/variable-errors';
import type { Authenticator } from '../context/authenticator';

/** Close code for a connection refused after too many failed sign-ins (graphql-ws reads 4429 as "do not retry now"). */
export const CLOSE_TOO_MANY_SIGN_IN_FAILURES = 4429;

type ConnectionState = {
  socket: WebSocket;
  /** graphql-ws hands it over for the connection's life; only its address is kept (see onConnect). */
  request?: IncomingMessage;
  remoteAddress: string;
  principal?: Principal;
  activeSubscriptions: number;
};

/** Which fan-out group a subscription joins, and where its frames go (set in onSubscribe, read in subscribe). */
interface Route {
  groupKey: string;
  target: SubscriptionTarget;
}

export interface WebSocketDeps {
  config: Config;
  schema: GraphQLSchema;
  gate: OperationGate;
  authenticator: Authenticator;
  contexts: ContextFactory;
  logger: Logger;
  metrics: Metrics;
}

/**
 * graphql-ws on the same port and path as HTTP, under the same rules: the token comes in
 * connectionParams (a bad or missing one closes with 4403, too many failed ones with 4429), and
 * each subscribe message passes the same operation gate as an HTTP request.
 */
export function attachGraphqlWebSocket(httpServer: Server, path: string, deps: WebSocketDeps): { close(): Promise<void> } {
  const wsServer = new WebSocketServer({ server: httpServer, path, maxPayload: deps.config.WS_MAX_MESSAGE_BYTES });
  const fanout = new SubscriptionFanout({
    contextForEvent: (context) => (context as RequestContext).fork(),
    toClient: (result, context) => clientResult(result, (context as RequestContext).requestId, deps.logger),
  });
  const routes = new WeakMap<ExecutionArgs, Route>();
  const cleanup = useServer<Record<string, unknown> | undefined, ConnectionState>(
    {
      schema: deps.schema,
      connectionInitWaitTimeout: deps.config.WS_INIT_TIMEOUT_MS,
      onConnect: async (ctx) => {
        // The upgrade request (headers, buffers) would otherwise live as long as the connection.
        ctx.extra.remoteAddress = ctx.extra.request?.socket.remoteAddress ?? 'unknown';
        (ctx.extra as { request?: IncomingMessage }).request = undefined;
        const signedIn = await signInConnection(deps.contexts, ctx.connectionParams, ctx.extra.remoteAddress);
        // The secret is not needed again (the principal stands for it), nor kept for the connection's life.
        forgetToken(ctx.connectionParams);
        if (signedIn.retryAfterSeconds !== undefined) {
          ctx.extra.socket.close(CLOSE_TOO_MANY_SIGN_IN_FAILURES, `Too many failed sign-ins: retry after ${signedIn.retryAfterSeconds} s`);
          return false;
        }
        const principal = signedIn.principal;
        if (!principal) return false;
        ctx.extra.principal = principal;
        ctx.extra.activeSubscriptions = 0;
        deps.metrics.websocketConnections.inc();
        return true;
      },
      onSubscribe: async (ctx, id, payload) => {
        const state = ctx.extra;
        // Reserve the slot before any await: otherwise a burst of subscribe messages all pass the check.
        if ((state.activeSubscriptions ?? 0) >= deps.config.WS_MAX_SUBSCRIPTIONS) {
          return [tooComplex(`At most ${deps.config.WS_MAX_SUBSCRIPTIONS} subscriptions per connection`, 'subscriptions', { max: deps.config.WS_MAX_SUBSCRIPTIONS })];
        }
        state.activeSubscriptions = (state.activeSubscriptions ?? 0) + 1;
        // A token revoked since the connection opened may not start anything new.
        if (!state.principal || !(await deps.authenticator.stillValid(state.principal))) {
          state.activeSubscriptions -= 1;
          return [appErrorToGraphQL(unauthenticated('Token revoked', 'REVOKED'))];
        }
        const prepared = await prepareOperation(deps, state.principal, payload);
        if (Array.isArray(prepared)) {
          state.activeSubscriptions -= 1;
          return prepared;
        }
        routes.set(prepared, { groupKey: groupKeyOf(state.principal, payload), target: { socket: state.socket, id } });
        // graphql-ws keeps the subscribe message for the subscription's life: let it hold the one
        // copy of the text that every subscriber of this operation shares.
        (payload as { query: string }).query = deps.gate.sharedText(payload.query);
        return prepared;
      },
      // Subscriptions go through the fan-out (queries and mutations over WebSocket do not come here).
      subscribe: (args) => {
        const route = routes.get(args);
        if (!route) return subscribe(args);
        routes.delete(args);
        return fanout.subscribe(args, route.groupKey, route.target);
      },
      onComplete: (ctx) => {
        ctx.extra.activeSubscriptions = Math.max(0, (ctx.extra.activeSubscriptions ?? 1) - 1);
      },
      // Whatever an operation emits leaves through the same masking as HTTP responses (the
      // fan-out applies it itself, once per shared execution).
      onNext: (_ctx, _id, _payload, args, result) => {
        if (!result.errors?.length) return;
        return clientResult(result, (args.contextValue as { requestId?: string } | undefined)?.requestId ?? 'unknown', deps.logger);
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

/** The same gate as HTTP (parse, validate, limits, cost; cached by text), the variables, and the operation's context. */
async function prepareOperation(deps: WebSocketDeps, principal: Principal, payload: SubscribePayload): Promise<ExecutionArgs | GraphQLError[]> {
  const admitted = deps.gate.admit(payload, 'websocket');
  if (Array.isArray(admitted)) return admitted;
  const badVariables = variableErrors(deps.schema, admitted.document, payload.operationName, payload.variables);
  if (badVariables.length > 0) return badVariables;
  try {
    const contextValue = await deps.contexts.forPrincipal(principal);
    return { schema: deps.schema, document: admitted.document, variableValues: payload.variables, operationName: payload.operationName, contextValue };
  } catch (error) {
    if (error instanceof AppError) return [appErrorToGraphQL(error)];
    throw error;
  }
}

/**
 * Subscribers whose events may share one execution and one frame: the same operation (text,
 * variables, name) seen by the same audience. The text is part of the key, so one group means one document.
 */
export function groupKeyOf(principal: Principal | undefined, payload: SubscribePayload): string {
  return JSON.stringify([principal ? audienceKey(principal) : null, payload.operationName ?? null, payload.variables ?? null, payload.query]);
}

/** The result as graphql-ws would send it, with errors masked as on HTTP. */
function clientResult(result: ExecutionResult, requestId: string, logger: Logger): FormattedExecutionResult {
  const { errors, ...rest } = result;
  if (!errors?.length) return rest as FormattedExecutionResult;
  return { ...rest, errors: errors.map((error) => maskForClient(error, requestId, logger).toJSON()) };
}

function maskForClient(error: GraphQLError, requestId: string, logger: Logger): GraphQLError {
  const mapped = toClientError(error, requestId);
  if (mapped.unexpected) logger.error({ err: error.message, requestId }, 'unexpected WebSocket operation error');
  return mapped.error;
}

function forgetToken(params: Record<string, unknown> | undefined): void {
  if (!params) return;
  delete params.authorization;
  delete params.Authorization;
}

/** The connection's principal, or none (closed with 4403), or how long to wait after too many failures. */
async function signInConnection(
  contexts: ContextFactory, params: Record<string, unknown> | undefined, remoteAddress: string,
): Promise<{ principal?: Principal; retryAfterSeconds?: number }> {
  const authorization = params?.authorization ?? params?.Authorization;
  try {
    return { principal: await contexts.signIn.signIn(typeof authorization === 'string' ? authorization : undefined, remoteAddress) };
  } catch (error) {
    if (error instanceof AppError && error.code === ErrorCode.RATE_LIMITED) return { retryAfterSeconds: Number(error.details.retryAfterSeconds) };
    return {};
  }
}


export type { Context as WebSocketContext };
