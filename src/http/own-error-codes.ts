import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { ErrorCode } from '../platform/errors';

/** Codes careslot's validation rules set and Apollo re-labels GRAPHQL_VALIDATION_FAILED: they keep their own. */
const OWN_VALIDATION_CODES = new Set<unknown>([ErrorCode.QUERY_TOO_COMPLEX, ErrorCode.BAD_USER_INPUT]);

export function restoreOwnCode(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = (error as { originalError?: unknown } | undefined)?.originalError;
  if (original instanceof GraphQLError && OWN_VALIDATION_CODES.has(original.extensions?.code)) {
    return { ...formatted, extensions: { ...original.extensions } };
  }
  // Apollo's own name for "no such operation" (several operations and no operationName, an unknown one).
  if (formatted.extensions?.code === 'OPERATION_RESOLUTION_FAILURE') return { ...formatted, extensions: { ...formatted.extensions, code: ErrorCode.BAD_REQUEST } };
  return formatted;
}
