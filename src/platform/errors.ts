/**
 * The one list of stable error codes careslot answers with in `extensions.code`.
 * Clients may switch on these; never rename one. README "Error codes" mirrors this file.
 */
export const ErrorCode = {
  /** No valid credentials: missing, malformed, unknown, expired or revoked token. HTTP 401. */
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  /** Authenticated, but the principal's role or kind does not allow the operation. */
  FORBIDDEN: 'FORBIDDEN',
  /** Input failed validation; `extensions.fields` lists each field and what is wrong. */
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  /** The id does not exist for this tenant (also for another tenant's ids). */
  NOT_FOUND: 'NOT_FOUND',
  /** The change conflicts with the current state (idempotency key reuse, duplicate, illegal transition). */
  CONFLICT: 'CONFLICT',
  /** Too many requests or attempts; `extensions.retryAfterSeconds` says when to retry. */
  RATE_LIMITED: 'RATE_LIMITED',
  /** The query exceeds a limit: depth, aliases, cost, tokens, subscriptions per connection. */
  QUERY_TOO_COMPLEX: 'QUERY_TOO_COMPLEX',
  /** The GraphQL document could not be parsed. */
  GRAPHQL_PARSE_FAILED: 'GRAPHQL_PARSE_FAILED',
  /** The GraphQL document is not valid against the schema. */
  GRAPHQL_VALIDATION_FAILED: 'GRAPHQL_VALIDATION_FAILED',
  /** The HTTP request itself is malformed (bad JSON, wrong method, CSRF). */
  BAD_REQUEST: 'BAD_REQUEST',
  /** The request body exceeds the configured limit. HTTP 413. */
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  /** A peer server or external system did not answer in time or at all. */
  REMOTE_UNAVAILABLE: 'REMOTE_UNAVAILABLE',
  /** A sharing server refused the link's token: the share was revoked or its token rotated. */
  SHARE_LINK_REJECTED: 'SHARE_LINK_REJECTED',
  /** Anything unexpected. The message is generic; `extensions.requestId` finds it in the logs. */
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface FieldProblem {
  /** Dotted path of the input field, e.g. `input.timeZone`. */
  field: string;
  /** Human-readable problems, never echoing the submitted value. */
  problems: string[];
}

/**
 * An expected failure raised by services. It carries only what is safe to show
 * to the caller; the GraphQL layer turns it into an error with `extensions.code`.
 */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const notFound = (what: string): AppError => new AppError(ErrorCode.NOT_FOUND, `${what} not found`);
export const forbidden = (message = 'Not allowed'): AppError => new AppError(ErrorCode.FORBIDDEN, message);
export const conflict = (message: string, details: Record<string, unknown> = {}): AppError =>
  new AppError(ErrorCode.CONFLICT, message, details);
/** Why a credential that exists may not act: told to clients as `extensions.reason`, which peers act on. */
export type CredentialRefusal = 'REVOKED' | 'EXPIRED' | 'INVALID';
export const unauthenticated = (message = 'Authentication required', reason?: CredentialRefusal): AppError =>
  new AppError(ErrorCode.UNAUTHENTICATED, message, reason ? { reason } : {});
export const badInput = (fields: FieldProblem[], message = 'Invalid input'): AppError =>
  new AppError(ErrorCode.BAD_USER_INPUT, message, { fields });

/** HTTP statuses for codes that the GraphQL-over-HTTP spec lets us signal at the transport. */
export const HTTP_STATUS_BY_CODE: Partial<Record<ErrorCode, number>> = {
  UNAUTHENTICATED: 401,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
};
