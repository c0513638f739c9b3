import { Router, type Request, type Response } from 'express';
import { loadGraphiqlAssets, type GraphiqlAssets } from './graphiql-assets';
import { faviconIco } from './graphiql-favicon';
import { renderGraphiqlPage } from './graphiql-page';

export interface GraphiqlRouterOptions {
  /** Path of the GraphQL endpoint, e.g. '/graphql'; also answered with the page for browsers. */
  readonly endpointPath: string;
  readonly title?: string;
}

const PAGE_PATH = '/graphiql';
const ASSETS_PATH = '/graphiql/assets';
const FAVICON_PATH = '/favicon.ico';
const ONE_YEAR_IN_SECONDS = 365 * 24 * 60 * 60;
const ONE_DAY_IN_SECONDS = 24 * 60 * 60;

/**
 * Serves GraphiQL and every file it loads from this server, and the icon browsers ask for at
 * /favicon.ico. Mount it before the GraphQL handler: on the endpoint path it only answers
 * browser navigations and passes the rest on.
 */
export function graphiqlRouter(options: GraphiqlRouterOptions): Router {
  const assets = loadGraphiqlAssets();
  const favicon = faviconIco();
  const title = options.title ?? 'GraphiQL';
  const router = Router();

  router.use(ASSETS_PATH, (req, res, next) => {
    const asset = assets.byRelativeUrl.get(req.path.slice(1));
    if ((req.method !== 'GET' && req.method !== 'HEAD') || asset === undefined) {
      next();
      return;
    }
    res.set({
      'Content-Type': asset.contentType,
      'Cache-Control': `public, max-age=${ONE_YEAR_IN_SECONDS}, immutable`,
      'X-Content-Type-Options': 'nosniff',
      'Cross-Origin-Resource-Policy': 'same-origin',
    });
    res.send(asset.body);
  });

  // Its URL cannot change with its content, so it is cached for a day rather than for ever.
  router.get(FAVICON_PATH, (_req, res) => {
    res.set({
      'Content-Type': 'image/x-icon',
      'Cache-Control': `public, max-age=${ONE_DAY_IN_SECONDS}`,
      'X-Content-Type-Options': 'nosniff',
    });
    res.send(favicon);
  });

  router.get(PAGE_PATH, (req, res) => {
    sendPage(req, res, { title, endpointPath: options.endpointPath, assets });
  });

  router.get(options.endpointPath, (req, res, next) => {
    // The same URL answers JSON or HTML depending on Accept, so caches must key on it.
    res.vary('Accept');
    if (!isBrowserNavigation(req)) {
      next();
      return;
    }
    sendPage(req, res, { title, endpointPath: options.endpointPath, assets });
  });

  return router;
}

// GraphQL-over-HTTP GET always carries `query`; fetch() clients prefer JSON or accept anything.
function isBrowserNavigation(req: Request): boolean {
  const prefersHtml = req.accepts(['application/graphql-response+json', 'application/json', 'text/html']) === 'text/html';
  return prefersHtml && req.query['query'] === undefined;
}

function sendPage(
  req: Request,
  res: Response,
  page: { title: string; endpointPath: string; assets: GraphiqlAssets },
): void {
  const { html, contentSecurityPolicy } = renderGraphiqlPage({
    title: page.title,
    endpointUrl: req.baseUrl + page.endpointPath,
    assetsUrl: req.baseUrl + ASSETS_PATH,
    assets: page.assets.page,
  });
  res.set({
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Security-Policy': contentSecurityPolicy,
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  });
  res.send(html);
}
