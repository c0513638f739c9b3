import { expressMiddleware } from '@as-integrations/express5';
import type { ApolloServer } from '@apollo/server';
import cors from 'cors';
import express, { type ErrorRequestHandler, type Express, type Request } from 'express';
import type { Config } from '../config';
import type { ContextFactory } from '../context/context-factory';
import type { RequestContext } from '../context/request-context';
import { AppError, ErrorCode } from './errors';
import { appErrorToGraphQL } from './graphql-errors';
import type { Logger } from './logger';
import type { Metrics } from './metrics';

export interface HttpAppDeps {
  config: Config;
  apollo: ApolloServer<RequestContext>;
  contexts: ContextFactory;
  metrics: Metrics;
  logger: Logger;
  isReady: () => Promise<boolean>;
  /** Mounted before the GraphQL handler: GraphiQL answers browser GETs on the same path. */
  beforeGraphql?: express.RequestHandler[];
}

export const GRAPHQL_PATH = '/graphql';

export function createHttpApp(deps: HttpAppDeps): Express {
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
  app.use(GRAPHQL_PATH, cors({ origin: deps.config.CORS_ORIGINS, methods: ['GET', 'POST'], maxAge: 600 }));
  for (const handler of deps.beforeGraphql ?? []) app.use(handler);

  app.use(
    GRAPHQL_PATH,
    express.json({ limit: deps.config.BODY_LIMIT_BYTES, type: ['application/json', 'application/graphql-response+json'] }),
    expressMiddleware(deps.apollo, {
      context: async ({ req }) => {
        try {
          return await deps.contexts.fromAuthorization(req.headers.authorization, clientAddress(req));
        } catch (error) {
          throw error instanceof AppError ? appErrorToGraphQL(error) : error;
        }
      },
    }),
  );
  app.use(transportErrors(deps.config.BODY_LIMIT_BYTES, deps.logger));
  return app;
}

/** Failures before GraphQL runs, answered in the GraphQL error shape with the transport's status; nothing internal leaks. */
function transportErrors(limit: number, logger: Logger): ErrorRequestHandler {
  return (error: { type?: string; status?: number; message?: string }, _req, res, _next) => {
    if (error.type === 'entity.too.large') {
      res.status(413).json({ errors: [{ message: `Request body exceeds ${limit} bytes`, extensions: { code: ErrorCode.PAYLOAD_TOO_LARGE } }] });
    } else if (error.type === 'entity.parse.failed') {
      res.status(400).json({ errors: [{ message: 'Request body is not valid JSON', extensions: { code: ErrorCode.BAD_REQUEST } }] });
    } else if (error.status && error.status >= 400 && error.status < 500) {
      res.status(error.status).json({ errors: [{ message: 'Bad request', extensions: { code: ErrorCode.BAD_REQUEST } }] });
    } else {
      logger.error({ err: error.message }, 'unexpected HTTP error');
      res.status(500).json({ errors: [{ message: 'Internal server error', extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } }] });
    }
  };
}

function clientAddress(req: Request): string {
  return req.socket.remoteAddress ?? 'unknown';
}
