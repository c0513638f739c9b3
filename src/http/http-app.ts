import type { ApolloServer } from '@apollo/server';
import cors from 'cors';
import express, { type ErrorRequestHandler, type Express } from 'express';
import type { RequestListener } from 'node:http';
import type { Config } from '../config';
import type { ContextFactory } from '../context/context-factory';
import type { RequestContext } from '../context/request-context';
import { ErrorCode } from '../platform/errors';
import { answerActualRequestCors } from './actual-request-cors';
import { graphqlHttpHandler, sendError } from './graphql-http';
import type { Logger } from '../platform/logger';
import type { Metrics } from '../platform/metrics';
import type { DirectExecutionDeps } from './direct-execution';
import type { OperationGate } from './operation-gate';

export interface HttpAppDeps {
  config: Config;
  apollo: ApolloServer<RequestContext>;
  gate: OperationGate;
  /** The compiled executor and the operation log, for operations the transport answers without Apollo. */
  direct: DirectExecutionDeps;
  contexts: ContextFactory;
  metrics: Metrics;
  logger: Logger;
  isReady: () => Promise<boolean>;
  /** Mounted before the GraphQL GET handler: GraphiQL answers browser GETs on the same path. */
  beforeGraphql?: express.RequestHandler[];
}

export const GRAPHQL_PATH = '/graphql';

/**
 * The HTTP side of the server. GraphQL POSTs (nearly all traffic) go straight to the GraphQL
 * handler; GETs, preflights, GraphiQL, health and metrics go through Express.
 */
export function createHttpApp(deps: HttpAppDeps): RequestListener {
  const corsHandler = cors({ origin: deps.config.CORS_ORIGINS, methods: ['GET', 'POST'], maxAge: 600 });
  const graphql = graphqlHttpHandler({
    apollo: deps.apollo,
    gate: deps.gate,
    direct: deps.direct,
    bodyLimitBytes: deps.config.BODY_LIMIT_BYTES,
    context: (req, requestId) => deps.contexts.fromAuthorization(req.headers.authorization, req.socket.remoteAddress ?? 'unknown', requestId),
    onRefused: ({ requestId, status, codes }) => {
      for (const code of codes) deps.metrics.errors.inc({ code });
      deps.logger.info({ requestId, status, errorCodes: codes }, 'graphql request refused');
    },
    onUnexpected: (error, requestId) => deps.logger.error({ requestId, err: error instanceof Error ? error.message : String(error) }, 'unexpected HTTP error'),
  });
  const site = expressApp(deps, corsHandler, graphql);
  const allowedOrigins = new Set(deps.config.CORS_ORIGINS);
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD' && req.method !== 'OPTIONS' && pathOf(req.url) === GRAPHQL_PATH) {
      answerActualRequestCors(allowedOrigins, req, res);
      graphql(req, res);
      return;
    }
    site(req, res);
  };
}

function expressApp(deps: HttpAppDeps, corsHandler: ReturnType<typeof cors>, graphql: RequestListener): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);

  app.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
  app.get('/readyz', async (_req, res) => {
    const ready = await deps.isReady().catch(() => false);
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'unavailable' });
  });
  app.get('/metrics', async (_req, res) => {
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });

  // CORS first: the GraphiQL router also answers on /graphql and must not swallow preflights.
  app.use(GRAPHQL_PATH, corsHandler);
  for (const handler of deps.beforeGraphql ?? []) app.use(handler);
  app.get(GRAPHQL_PATH, (req, res) => graphql(req, res));
  app.use(transportErrors(deps.logger));
  return app;
}

function pathOf(url: string | undefined): string {
  const end = url?.indexOf('?') ?? -1;
  return end < 0 ? url ?? '' : url!.slice(0, end);
}

/** Express's own failures (e.g. a malformed URL), answered in the GraphQL error shape; nothing internal leaks. */
function transportErrors(logger: Logger): ErrorRequestHandler {
  return (error: { status?: number; message?: string }, _req, res, _next) => {
    if (error.status && error.status >= 400 && error.status < 500) return sendError(res, error.status, ErrorCode.BAD_REQUEST, 'Bad request');
    logger.error({ err: error.message }, 'unexpected HTTP error');
    sendError(res, 500, ErrorCode.INTERNAL_SERVER_ERROR, 'Internal server error');
  };
}
