import type { ValidationError } from 'class-validator';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { AppError, ErrorCode, HTTP_STATUS_BY_CODE, type FieldProblem } from '../platform/errors';
import { describeVariableError } from './variable-errors';

/**
 * The one mapping from anything thrown to what a client may see. Expected failures keep
 * their code and safe message; anything else becomes INTERNAL_SERVER_ERROR with the request id.
 */
export function toClientError(error: unknown, requestId: string): { error: GraphQLError; unexpected: boolean } {
  const mapped = mapToClientError(error, requestId);
  // Keep where it happened (path, locations): safe to show, and clients need it to place the error.
  if (error instanceof GraphQLError && mapped.error !== error && (error.path || error.nodes)) {
    mapped.error = new GraphQLError(mapped.error.message, { nodes: error.nodes, path: error.path, extensions: mapped.error.extensions });
  }
  return mapped;
}

function mapToClientError(error: unknown, requestId: string): { error: GraphQLError; unexpected: boolean } {
  const original = error instanceof GraphQLError && error.originalError ? error.originalError : error;
  if (original instanceof AppError) {
    return { error: appErrorToGraphQL(original), unexpected: false };
  }
  const validationErrors = validationErrorsOf(original) ?? validationErrorsOf(error);
  if (validationErrors) {
    return {
      error: new GraphQLError('Invalid input', { extensions: { code: ErrorCode.BAD_USER_INPUT, fields: flattenValidationErrors(validationErrors) } }),
      unexpected: false,
    };
  }
  if (error instanceof GraphQLError && isKnownCode(error.extensions?.code) && error.extensions.code !== ErrorCode.INTERNAL_SERVER_ERROR) {
    return { error, unexpected: false };
  }
  return { error: internalError(requestId), unexpected: true };
}

export function appErrorToGraphQL(error: AppError): GraphQLError {
  const status = HTTP_STATUS_BY_CODE[error.code];
  const retryAfter = error.details.retryAfterSeconds;
  const http = status
    ? { status, ...(typeof retryAfter === 'number' ? { headers: new Map([['retry-after', String(retryAfter)]]) } : {}) }
    : undefined;
  return new GraphQLError(error.message, { extensions: { code: error.code, ...error.details, ...(http ? { http } : {}) } });
}

export function internalError(requestId: string): GraphQLError {
  return new GraphQLError('Internal server error', { extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, requestId } });
}

/** Last line of defence for errors raised outside resolvers (parsing, validation, context). */
export function maskFormattedError(formatted: GraphQLFormattedError, requestId = 'unknown'): GraphQLFormattedError {
  const code = formatted.extensions?.code;
  if (isKnownCode(code) && code !== ErrorCode.INTERNAL_SERVER_ERROR) {
    const { stacktrace: _stacktrace, exception: _exception, ...extensions } = formatted.extensions ?? {};
    const variable = code === ErrorCode.BAD_USER_INPUT ? describeVariableError(formatted.message) : undefined;
    if (variable) return { ...formatted, message: variable.message, extensions: { ...extensions, fields: variable.fields } };
    return { ...formatted, extensions };
  }
  if (code === ErrorCode.INTERNAL_SERVER_ERROR && typeof formatted.extensions?.requestId === 'string') {
    return { message: formatted.message, path: formatted.path, locations: formatted.locations, extensions: { code, requestId: formatted.extensions.requestId } };
  }
  return { message: 'Internal server error', path: formatted.path, extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, requestId } };
}

const KNOWN_CODES = new Set<string>(Object.values(ErrorCode));
function isKnownCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && KNOWN_CODES.has(code);
}

function validationErrorsOf(error: unknown): ValidationError[] | undefined {
  const extensions = (error as { extensions?: { validationErrors?: unknown } } | undefined)?.extensions;
  return Array.isArray(extensions?.validationErrors) ? (extensions.validationErrors as ValidationError[]) : undefined;
}

/** class-validator's tree → `input.address.city: [problems]`, without the submitted values. */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldProblem[] {
  return errors.flatMap((error) => {
    const field = /^\d+$/.test(error.property) ? `${parent}[${error.property}]` : parent ? `${parent}.${error.property}` : error.property;
    const own: FieldProblem[] = error.constraints ? [{ field, problems: Object.values(error.constraints) }] : [];
    return [...own, ...flattenValidationErrors(error.children ?? [], field)];
  });
}
