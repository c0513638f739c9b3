import type { GraphQLFormattedError } from 'graphql';
import type { HttpExchange } from './http-transport';
import type { Transport } from './operation-shapes';
import type { WsExchange } from './ws-transport';

export interface GraphQLPayload {
  data?: unknown;
  errors?: GraphQLFormattedError[];
}

/** What came back for one operation, the same shape for both transports. */
export interface ObservedResponse {
  transport: Transport;
  httpStatus?: number;
  /** HTTP: the parsed body. WebSocket: every `next` payload. */
  payloads: GraphQLPayload[];
  /** WebSocket: the `error` message that rejected the operation before it ran. */
  rejection?: GraphQLFormattedError[];
  /** WebSocket: the socket closed under the operation. */
  closed?: { code: number; reason: string };
  /** WebSocket: a subscription was accepted and sent nothing within the wait. */
  waiting?: boolean;
  /** Something no GraphQL server answer explains: no answer, a body that is not JSON, a client failure. */
  transportProblem?: string;
  /** The server's ids for the request (x-request-id, extensions.requestId): what its log lines carry. */
  requestIds: string[];
  /** The answer as received, for the report. */
  raw: string;
}

function isPayload(body: unknown): body is GraphQLPayload {
  return typeof body === 'object' && body !== null && !Array.isArray(body) && ('data' in body || 'errors' in body);
}

export function observeHttp(exchange: HttpExchange): ObservedResponse {
  const raw = `HTTP ${exchange.status} ${exchange.bodyText}`;
  let body: unknown;
  try {
    body = exchange.bodyText === '' ? undefined : JSON.parse(exchange.bodyText);
  } catch {
    body = undefined;
  }
  const header = exchange.headers['x-request-id'];
  const headerIds = typeof header === 'string' ? [header] : [];
  if (isPayload(body)) return withRequestIds({ transport: 'http', httpStatus: exchange.status, payloads: [body], raw, requestIds: headerIds });
  // Node's own HTTP parser answers some malformed requests (431 headers too large, 414, 400) without a body: not a GraphQL answer, not a crash.
  const bodylessTransportAnswer = exchange.status >= 400 && exchange.status < 500 && exchange.bodyText.trim() === '';
  return {
    transport: 'http', httpStatus: exchange.status, payloads: [], raw, requestIds: headerIds,
    transportProblem: bodylessTransportAnswer ? undefined : `HTTP ${exchange.status} answer is not a GraphQL response`,
  };
}

/** Adds the request ids the errors carry (an INTERNAL_SERVER_ERROR names its request). */
function withRequestIds(observed: ObservedResponse): ObservedResponse {
  const fromErrors = allErrors(observed).map((error) => error.extensions?.requestId).filter((id): id is string => typeof id === 'string');
  observed.requestIds = [...new Set([...observed.requestIds, ...fromErrors])];
  return observed;
}

export function observeWs(exchange: WsExchange): ObservedResponse {
  const raw = JSON.stringify(exchange);
  const observed: ObservedResponse = { transport: 'ws', payloads: exchange.results as GraphQLPayload[], raw, requestIds: [] };
  if (exchange.errors) observed.rejection = exchange.errors;
  if (exchange.closed) observed.closed = exchange.closed;
  if (exchange.waiting) observed.waiting = true;
  if (exchange.timedOut) observed.transportProblem = 'no answer before the timeout';
  if (exchange.clientError) observed.transportProblem = `graphql-ws client failed: ${exchange.clientError}`;
  return withRequestIds(observed);
}

export function observeFailure(transport: Transport, error: unknown): ObservedResponse {
  const message = error instanceof Error ? error.message : String(error);
  return { transport, payloads: [], transportProblem: `request failed: ${message}`, raw: message, requestIds: [] };
}

/** Every GraphQL error received, wherever the transport put it. */
export function allErrors(observed: ObservedResponse): GraphQLFormattedError[] {
  return [...(observed.rejection ?? []), ...observed.payloads.flatMap((payload) => payload.errors ?? [])];
}

export function errorCodeOf(error: GraphQLFormattedError): string | undefined {
  const code = error.extensions?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The root field's value in the first payload (undefined when there is none). */
export function rootValue(observed: ObservedResponse, fieldName: string): unknown {
  const data = observed.payloads[0]?.data;
  return typeof data === 'object' && data !== null ? (data as Record<string, unknown>)[fieldName] : undefined;
}
