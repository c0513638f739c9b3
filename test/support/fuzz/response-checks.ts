import { ErrorCode } from '../../../src/platform/errors';
import { allErrors, errorCodeOf, type ObservedResponse } from './observed-response';

const KNOWN_CODES = new Set<string>(Object.values(ErrorCode));

/** What an unauthenticated caller may get on HTTP: refused, or stopped by the transport before authentication. */
const UNAUTHENTICATED_HTTP_CODES = new Set<string>([ErrorCode.UNAUTHENTICATED, ErrorCode.PAYLOAD_TOO_LARGE, ErrorCode.BAD_REQUEST, ErrorCode.RATE_LIMITED]);

export interface CheckContext {
  /** ANONYMOUS or INVALID_TOKEN: must be turned away. */
  unauthenticated: boolean;
  /** The WebSocket message is over WS_MAX_MESSAGE_BYTES: the socket must close (1009) without running it. */
  oversizedWsMessage: boolean;
  /** Over the limit, or too close to it to tell: closing is fine, running is fine. */
  wsMessageNearLimit: boolean;
}

/**
 * The invariants every answer must keep, whatever was sent: no 5xx, no INTERNAL_SERVER_ERROR,
 * every error with a code from the documented list, callers without a valid token refused.
 * Answers a list of problems (empty: fine), each phrased so that equal problems read equal.
 */
export function checkResponse(observed: ObservedResponse, context: CheckContext): string[] {
  const problems: string[] = [];
  if (observed.transportProblem !== undefined) problems.push(observed.transportProblem);
  if (observed.httpStatus !== undefined && observed.httpStatus >= 500) problems.push(`HTTP ${observed.httpStatus}`);

  for (const error of allErrors(observed)) {
    const code = errorCodeOf(error);
    if (code === undefined) problems.push(`error without extensions.code: ${error.message}`);
    else if (code === ErrorCode.INTERNAL_SERVER_ERROR) problems.push(`INTERNAL_SERVER_ERROR: ${error.message}`);
    else if (!KNOWN_CODES.has(code)) problems.push(`undocumented code ${code}: ${error.message}`);
  }

  if (observed.transport === 'ws') problems.push(...wsCloseProblems(observed, context));
  else if (context.unauthenticated) problems.push(...unauthenticatedHttpProblems(observed));
  return problems;
}

function unauthenticatedHttpProblems(observed: ObservedResponse): string[] {
  if (observed.payloads.length === 0) return []; // a bodyless 4xx from the HTTP parser
  const problems: string[] = [];
  const codes = allErrors(observed).map(errorCodeOf);
  if (codes.length === 0) problems.push('no token or an invalid token, and the operation ran');
  else if (!codes.every((code) => code !== undefined && UNAUTHENTICATED_HTTP_CODES.has(code))) {
    problems.push(`no token or an invalid token, answered ${[...new Set(codes.map((code) => code ?? 'no code'))].join(', ')} instead of UNAUTHENTICATED`);
  }
  if (codes.includes(ErrorCode.UNAUTHENTICATED) && observed.httpStatus !== 401) problems.push(`UNAUTHENTICATED with HTTP ${observed.httpStatus} instead of 401`);
  const data = observed.payloads[0]?.data;
  if (data !== undefined && data !== null) problems.push('no token or an invalid token, and data came back');
  return problems;
}

function wsCloseProblems(observed: ObservedResponse, context: CheckContext): string[] {
  const code = observed.closed?.code;
  if (context.unauthenticated) {
    // Refused at connection_init: the server closes with 4403 (a throttled refusal may use another 44xx code).
    if (code === undefined) return ['WebSocket with no token or an invalid token was not closed'];
    return code >= 4400 && code < 4500 ? [] : [`WebSocket with no token or an invalid token closed with ${code} (expected 4403)`];
  }
  if (context.oversizedWsMessage) return code === 1009 ? [] : [`WebSocket message over the size limit: ${code === undefined ? 'not refused' : `closed with ${code}`} (expected 1009)`];
  if (code === undefined || (context.wsMessageNearLimit && code === 1009)) return [];
  return [`WebSocket closed with ${code}${observed.closed?.reason ? ` (${observed.closed.reason})` : ''}`];
}
