import type { ExecutionResult, GraphQLFormattedError } from 'graphql';
import type { WsConnection } from './ws-client';

export interface WsOutcome {
  /** Every `next` payload received for the operation, in order. */
  results: ExecutionResult[];
  /** The payload of the `error` message that ended the operation (it was rejected), if any. */
  errors?: GraphQLFormattedError[];
  /** Set when the socket closed before the operation completed. */
  closed?: { code: number; reason: string };
}

/**
 * Runs one operation (query, mutation or a subscription that ends) through graphql-ws and
 * resolves when it completes, is rejected, or its socket closes. No timers: nothing dangles.
 */
export function runOnWs(connection: WsConnection, query: string, variables: Record<string, unknown> = {}): Promise<WsOutcome> {
  return new Promise((resolve) => {
    const results: ExecutionResult[] = [];
    connection.client.subscribe({ query, variables }, {
      next: (result) => void results.push(result as ExecutionResult),
      error: (error) => {
        if (Array.isArray(error)) resolve({ results, errors: error as GraphQLFormattedError[] });
        else if (error && typeof (error as { code?: unknown }).code === 'number') {
          const { code, reason } = error as { code: number; reason: string };
          resolve({ results, closed: { code, reason } });
        } else resolve({ results, errors: [{ message: String(error) }] });
      },
      complete: () => resolve({ results }),
    });
  });
}
