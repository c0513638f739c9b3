import type { ExecutionResult, GraphQLFormattedError } from 'graphql';
import { toVariableValue } from './fuzz-value';
import type { GraphQLRequestParts } from './render-operation';
import { openConnection, type OpenedConnection } from './ws-connect';

export interface WsExchange {
  /** Every `next` payload received. */
  results: ExecutionResult[];
  /** The `error` message that rejected the operation. */
  errors?: GraphQLFormattedError[];
  /** The socket closed before the operation ended (refused connection, oversized message, …). */
  closed?: { code: number; reason: string };
  /** A subscription that was accepted and sent nothing within the wait (then disposed). */
  waiting?: boolean;
  /** Nothing at all within the timeout. */
  timedOut?: boolean;
  /** The graphql-ws client itself failed (e.g. a message it could not understand). */
  clientError?: string;
}

export interface WsRoute {
  authorization: string | undefined;
  /** Leave from this local address (undefined: the default one). */
  localAddress?: string;
  /** A connection of its own, closed afterwards: for operations expected to close their socket. */
  ownConnection: boolean;
}

/**
 * One long-lived graphql-ws connection per authorization value, as clients keep them, opened
 * again if it closed. Operations that are expected to close their socket (no valid token, a
 * message over the size limit) get a connection of their own, so they cannot take down the
 * operations in flight on the shared one.
 */
export class WsTransport {
  private readonly pool = new Map<string, OpenedConnection>();

  constructor(private readonly serverUrl: string, private readonly options: { subscriptionWaitMs: number; timeoutMs: number }) {}

  async run(parts: GraphQLRequestParts, route: WsRoute, isSubscription: boolean): Promise<WsExchange> {
    if (!route.ownConnection && route.authorization !== undefined) return this.runOn(this.shared(route.authorization, route.localAddress), parts, isSubscription);
    const opened = openConnection(this.serverUrl, route.authorization, route.localAddress);
    try {
      return await this.runOn(opened, parts, isSubscription);
    } finally {
      await opened.client.dispose();
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.pool.values()].map((pooled) => pooled.client.dispose()));
    this.pool.clear();
  }

  private shared(authorization: string, localAddress: string | undefined): OpenedConnection {
    const key = `${localAddress ?? ''} ${authorization}`;
    const pooled = this.pool.get(key);
    if (pooled && !pooled.isClosed) return pooled;
    const opened = openConnection(this.serverUrl, authorization, localAddress);
    this.pool.set(key, opened);
    return opened;
  }

  /**
   * Queries and mutations run to completion; a subscription ends at its first message or after
   * the wait, counted from the connection's acknowledgement (live events are not what is fuzzed),
   * and is disposed either way.
   */
  private runOn({ client, acknowledged }: OpenedConnection, parts: GraphQLRequestParts, isSubscription: boolean): Promise<WsExchange> {
    return new Promise((resolve) => {
      const results: ExecutionResult[] = [];
      let settled = false;
      let dispose: () => void = () => undefined;
      const timers: NodeJS.Timeout[] = [];
      const finish = (exchange: WsExchange) => {
        if (settled) return;
        settled = true;
        timers.forEach(clearTimeout);
        dispose();
        resolve(exchange);
      };
      const variables = Object.fromEntries(Object.entries(parts.variables).map(([name, value]) => [name, toVariableValue(value)]));
      dispose = client.subscribe({ query: parts.query, variables, operationName: parts.operationName }, {
        next: (result) => {
          results.push(result as ExecutionResult);
          if (isSubscription) finish({ results });
        },
        error: (error) => {
          if (Array.isArray(error)) finish({ results, errors: error as GraphQLFormattedError[] });
          else if (error && typeof (error as { code?: unknown }).code === 'number') {
            const { code, reason } = error as { code: number; reason: string };
            finish({ results, closed: { code, reason: String(reason) } });
          } else finish({ results, clientError: error instanceof Error ? error.message : String(error) });
        },
        complete: () => finish({ results }),
      });
      if (isSubscription) void acknowledged.then(() => !settled && timers.push(setTimeout(() => finish({ results, waiting: true }), this.options.subscriptionWaitMs)));
      timers.push(setTimeout(() => finish({ results, timedOut: true }), this.options.timeoutMs));
    });
  }
}
