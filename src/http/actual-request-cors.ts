import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * What cors() answers a request that is not a preflight, for a fixed list of origins: the origin
 * allowed when listed, and `Vary: Origin`. Written here for the GraphQL POSTs, nearly all traffic,
 * because cors() works its options out again for every request, at a cost beside a small operation's
 * (bench scenario 6); preflights and everything else still go through cors().
 */
export function answerActualRequestCors(allowedOrigins: ReadonlySet<string>, req: IncomingMessage, res: ServerResponse): void {
  const origin = req.headers.origin;
  if (origin !== undefined && allowedOrigins.has(origin)) res.setHeader('access-control-allow-origin', origin);
  res.setHeader('vary', 'Origin');
}
