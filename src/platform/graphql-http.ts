import { HeaderMap, type ApolloServer, type HTTPGraphQLResponse } from '@apollo/server';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestContext } from '../context/request-context';
import { ErrorCode } from './errors';

export interface GraphqlHttpDeps {
  apollo: ApolloServer<RequestContext>;
  bodyLimitBytes: number;
  context(req: IncomingMessage): Promise<RequestContext>;
  onUnexpected(error: unknown): void;
}

/** Media types whose bodies are GraphQL requests in JSON; Apollo refuses the others (CSRF prevention included). */
const JSON_MEDIA_TYPES = new Set(['application/json', 'application/graphql-response+json']);

class TransportError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

/**
 * GraphQL over HTTP straight from node:http into Apollo's request pipeline. Express, its router
 * and body-parser cost more per request than executing a small operation (bench scenario 6), so
 * the GraphQL endpoint reads and parses its body itself; the rest of the site stays on Express.
 */
export function graphqlHttpHandler(deps: GraphqlHttpDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    readBody(req, deps.bodyLimitBytes)
      .then(async (body) => {
        const response = await deps.apollo.executeHTTPGraphQLRequest({
          httpGraphQLRequest: { method: req.method ?? 'GET', headers: headerMapOf(req), search: searchOf(req.url), body },
          context: () => deps.context(req),
        });
        await send(res, response);
      })
      .catch((error: unknown) => {
        if (error instanceof TransportError) {
          // The rest of an oversized body is never read: the connection closes after the answer.
          if (error.status === 413) res.setHeader('connection', 'close');
          return sendError(res, error.status, error.code, error.message);
        }
        // A failure after the answer started (e.g. the client went away mid-stream): nothing left to tell it.
        deps.onUnexpected(error);
        if (res.headersSent) return void res.destroy();
        sendError(res, 500, ErrorCode.INTERNAL_SERVER_ERROR, 'Internal server error');
      });
  };
}

/** The body as Apollo expects it: parsed JSON for JSON media types, else undefined (Apollo answers 400). */
function readBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) {
    return Promise.reject(new TransportError(413, ErrorCode.PAYLOAD_TOO_LARGE, `Request body exceeds ${limit} bytes`));
  }
  const mediaType = (req.headers['content-type'] ?? '').split(';', 1)[0].trim().toLowerCase();
  if (req.method !== 'POST' || !JSON_MEDIA_TYPES.has(mediaType)) {
    req.resume();
    return Promise.resolve(undefined);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    req.on('data', (chunk: Buffer) => {
      length += chunk.length;
      if (length > limit) {
        reject(new TransportError(413, ErrorCode.PAYLOAD_TOO_LARGE, `Request body exceeds ${limit} bytes`));
        req.removeAllListeners('data');
        req.pause();
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', reject);
    req.on('end', () => {
      if (length > limit) return;
      if (length === 0) return resolve(undefined);
      try {
        resolve(JSON.parse(chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8')));
      } catch {
        reject(new TransportError(400, ErrorCode.BAD_REQUEST, 'Request body is not valid JSON'));
      }
    });
  });
}

function headerMapOf(req: IncomingMessage): HeaderMap {
  const headers = new HeaderMap();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  return headers;
}

function searchOf(url: string | undefined): string {
  const start = url?.indexOf('?') ?? -1;
  return start < 0 ? '' : url!.slice(start);
}

async function send(res: ServerResponse, response: HTTPGraphQLResponse): Promise<void> {
  for (const [name, value] of response.headers) res.setHeader(name, value);
  res.statusCode = response.status ?? 200;
  if (response.body.kind === 'complete') {
    // One write for head and body: setting the length lets node send both in a single packet.
    res.setHeader('content-length', Buffer.byteLength(response.body.string));
    res.end(response.body.string);
    return;
  }
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
}

/** Failures before GraphQL runs, in the GraphQL error shape with the transport's status; nothing internal leaks. */
export function sendError(res: ServerResponse, status: number, code: string, message: string): void {
  const body = JSON.stringify({ errors: [{ message, extensions: { code } }] });
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
