import { allErrors, rootValue, type ObservedResponse } from './observed-response';

/**
 * Whether a mutation was turned down — then it must not have changed a single row. Turned down:
 * refused by the transport or before execution, answered with its field null (an error), or
 * answered with a typed failure (a union member such as `SlotUnavailable`), or `peerCancel`'s
 * NOT_FOUND status (nothing to cancel).
 */
export function mutationWasRejected(observed: ObservedResponse, fieldName: string, typedFailures: ReadonlySet<string>): boolean {
  if (observed.transportProblem !== undefined || observed.closed || observed.rejection) return true;
  if (observed.httpStatus !== undefined && observed.httpStatus >= 400) return true;
  const value = rootValue(observed, fieldName);
  if (value === null || value === undefined) return true;
  if (typeof value !== 'object') return allErrors(observed).length > 0;
  const result = value as { __typename?: unknown; status?: unknown };
  if (typeof result.__typename === 'string' && typedFailures.has(result.__typename)) return true;
  return result.status === 'NOT_FOUND';
}

/** A short name for what happened, for the counts: the first error code, or what else came back. */
export function outcomeCode(observed: ObservedResponse, fieldName: string, typedFailures: ReadonlySet<string>): string {
  if (observed.transportProblem !== undefined) return 'TRANSPORT_PROBLEM';
  if (observed.closed) return `WS_CLOSED_${observed.closed.code}`;
  const [first] = allErrors(observed);
  if (first) return typeof first.extensions?.code === 'string' ? first.extensions.code : 'NO_CODE';
  if (observed.httpStatus !== undefined && observed.httpStatus >= 400) return `HTTP_${observed.httpStatus}`;
  if (observed.waiting) return 'SUBSCRIBED';
  const value = rootValue(observed, fieldName) as { __typename?: unknown } | null | undefined;
  if (value && typeof value.__typename === 'string' && typedFailures.has(value.__typename)) return 'TYPED_FAILURE';
  return 'OK';
}
