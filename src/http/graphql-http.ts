import { HeaderMap, type ApolloServer, type HTTPGraphQLResponse } from '@apollo/server';
import type { GraphQLError } from 'graphql';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestContext } from '../context/request-context';
import { AppError, ErrorCode, HTTP_STATUS_BY_CODE } from '../platform/errors';
import { appErrorToGraphQL, maskFormattedError } from '../schema/graphql-errors';
import { APPLICATION_JSON, GRAPHQL_RESPONSE_JSON, singleResultMediaType } from './answer-media-type';
import { answerDirectly, type DirectExecutionDeps } from './direct-execution';
import type { GateRequest, OperationGate } from './operation-gate';

export interface GraphqlHttpDeps {
  apollo: ApolloServer<RequestContext>;
  gate: OperationGate;
  direct: DirectExecutionDeps;
  bodyLimitBytes: number;
  /** The caller's context: UNAUTHENTICATED or RATE_LIMITED (AppError) when it may not call. */
  context(req: IncomingMessage, requestId: string): Promise<RequestContext>;
  /** A request answered before it reached execution: one log line, with the id the answer carries. */
  onRefused(refusal: { requestId: string; status: number; codes: string[] }): void;
  onUnexpected(error: unknown, requestId: string): void;
}

/** Media types whose bodies are GraphQL requests in JSON; Apollo refuses the others (CSRF prevention included). */
const JSON_MEDIA_TYPES = new Set(['application/json', 'application/graphql-response+json']);

/** Errors about the document or its variables: a GraphQL response, so 200 under application/json (GraphQL over HTTP). */
const DOCUMENT_ERROR_CODES = new Set<string>([
  ErrorCode.GRAPHQL_PARSE_FAILED, ErrorCode.GRAPHQL_VALIDATION_FAILED, ErrorCode.BAD_USER_INPUT, ErrorCode.QUERY_TOO_COMPLEX,
]);

class TransportError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

/**
 * GraphQL over HTTP straight from node:http into Apollo's request pipeline. Express, its router
 * and body-parser cost more per request than executing a small operation (bench scenario 6), so
 * the GraphQL endpoint reads and parses its body itself; the rest of the site stays on Express.
 *
 * The order is the defence: the caller is authenticated from the headers alone (no token: 401,
 * without the body being read), then the document must pass the operation gate (parse, validate,
 * limits, cost; cached by text), and only then does it run: straight on the compiled executor when
 * Apollo's pipeline has nothing to add (direct-execution.ts), else through Apollo.
 */
export function graphqlHttpHandler(deps: GraphqlHttpDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const requestId = randomUUID();
    handle(deps, req, res, requestId).catch((error: unknown) => {
      if (error instanceof TransportError) {
        // The rest of an oversized body is never read: the connection closes after the answer.
        if (error.status === 413) res.setHeader('connection', 'close');
        deps.onRefused({ requestId, status: error.status, codes: [error.code] });
        return sendError(res, error.status, error.code, error.message, requestId);
      }
      // A failure after the answer started (e.g. the client went away mid-stream): nothing left to tell it.
      deps.onUnexpected(error, requestId);
      if (res.headersSent) return void res.destroy();
      sendError(res, 500, ErrorCode.INTERNAL_SERVER_ERROR, 'Internal server error', requestId);
    });
  };
}

async function handle(deps: GraphqlHttpDeps, req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
  let context: RequestContext;
  try {
    context = await deps.context(req, requestId);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return refuse(deps, res, req, HTTP_STATUS_BY_CODE[error.code] ?? 400, [appErrorToGraphQL(error)], requestId);
  }
  const body = await readBody(req, deps.bodyLimitBytes);
  const request = gateRequestOf(req, body);
  // Without a query string Apollo answers its own 400 (missing or malformed parameters).
  if (request) {
    const admitted = deps.gate.admit(request, 'http');
    if (Array.isArray(admitted)) return refuse(deps, res, req, refusalStatus(req, admitted), admitted, requestId);
    if (await answerDirectly(deps.direct, req, res, body, admitted, context) === 'answered') return;
  }
  const response = await deps.apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: req.method ?? 'GET', headers: headerMapOf(req), search: searchOf(req.url), body },
    context: () => Promise.resolve(context),
  });
  await send(res, response);
}

/** The GraphQL parameters of a POST body or a GET query string, when they hold a query string. */
function gateRequestOf(req: IncomingMessage, body: unknown): GateRequest | undefined {
  if (req.method === 'POST') {
    const params = body as (Partial<GateRequest> & { extensions?: { persistedQuery?: unknown } }) | undefined;
    // A persisted-query request without its text is the gate's to refuse; other shapes are Apollo's to answer.
    if (typeof params?.query !== 'string' && params?.extensions?.persistedQuery === undefined) return undefined;
    return { query: params!.query, operationName: params!.operationName, variables: params!.variables };
  }
  const search = new URLSearchParams(searchOf(req.url));
  const query = search.get('query');
  if (query === null) return search.has('extensions') ? { query: undefined } : undefined;
  let variables: unknown;
  try {
    variables = JSON.parse(search.get('variables') ?? 'null');
  } catch {
    variables = undefined; // Apollo answers malformed variables itself
  }
  return { query, operationName: search.get('operationName') ?? undefined, variables };
}

function refuse(deps: GraphqlHttpDeps, res: ServerResponse, req: IncomingMessage, status: number, errors: readonly GraphQLError[], requestId: string): void {
  const formatted = errors.map((error): { message: string; extensions: Record<string, unknown> } => {
    const masked = maskFormattedError(error.toJSON(), requestId);
    return { ...masked, extensions: { ...masked.extensions, http: undefined, requestId } };
  });
  deps.onRefused({ requestId, status, codes: formatted.map((error) => String(error.extensions.code)) });
  res.setHeader('x-request-id', requestId);
  const retryAfter = errors.map((error) => error.extensions?.retryAfterSeconds).find((value) => typeof value === 'number');
  if (retryAfter !== undefined) res.setHeader('retry-after', String(retryAfter));
  const body = JSON.stringify({ errors: formatted });
  res.writeHead(status, { 'content-type': answerMediaType(req), 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/**
 * Refused documents are GraphQL responses: 400 under application/graphql-response+json, 200 under
 * application/json, as GraphQL over HTTP asks. A request that names no runnable operation is a bad request.
 */
function refusalStatus(req: IncomingMessage, errors: readonly GraphQLError[]): number {
  const documentErrors = errors.every((error) => DOCUMENT_ERROR_CODES.has(String(error.extensions?.code)));
  return documentErrors && answerMediaType(req) !== GRAPHQL_RESPONSE_JSON ? 200 : 400;
}

/** The media type Apollo would answer with; application/json where it would answer 406 (a refusal says why it refused instead). */
function answerMediaType(req: IncomingMessage): string {
  return singleResultMediaType(req.headers.accept) ?? APPLICATION_JSON;
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
    if (res.statusCode === 400 && documentErrorsOnly(response)) res.statusCode = 200;
    // One write for head and body: setting the length lets node send both in a single packet.
    res.setHeader('content-length', Buffer.byteLength(response.body.string));
    res.end(response.body.string);
    return;
  }
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
}

/**
 * Apollo answers variable coercion failures 400 whatever the media type; under application/json
 * GraphQL over HTTP asks for 200 (the answer is a GraphQL response). Only 400s are read again.
 */
function documentErrorsOnly(response: HTTPGraphQLResponse): boolean {
  if (response.body.kind !== 'complete' || !response.headers.get('content-type')?.startsWith('application/json')) return false;
  try {
    const errors = (JSON.parse(response.body.string) as { errors?: Array<{ extensions?: { code?: unknown } }> }).errors ?? [];
    return errors.length > 0 && errors.every((error) => DOCUMENT_ERROR_CODES.has(String(error.extensions?.code)));
  } catch {
    return false;
  }
}

/** Failures before GraphQL runs, in the GraphQL error shape with the transport's status; nothing internal leaks. */
export function sendError(res: ServerResponse, status: number, code: string, message: string, requestId?: string): void {
  const body = JSON.stringify({ errors: [{ message, extensions: { code, ...(requestId ? { requestId } : {}) } }] });
  if (requestId) res.setHeader('x-request-id', requestId);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
