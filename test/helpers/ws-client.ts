import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export interface Subscription<T> {
  /** The next event, or a failure after timeoutMs. */
  next(timeoutMs?: number): Promise<T>;
  /** Resolves true when nothing arrives within ms (use for "receives nothing"). */
  nothingWithin(ms: number): Promise<boolean>;
  errors: unknown[];
  completed: boolean;
  dispose(): void;
}

export interface WsConnection {
  client: Client;
  /** The close event of the socket, when it closes. */
  closed: Promise<{ code: number; reason: string }>;
  subscribe<T = any>(query: string, variables?: Record<string, unknown>): Subscription<T>;
  dispose(): Promise<void>;
}

/** A real graphql-ws client over a real WebSocket to the test server. */
export function connectWs(httpUrl: string, token?: string, connectionParams?: Record<string, unknown>): WsConnection {
  let resolveClosed!: (event: { code: number; reason: string }) => void;
  const closed = new Promise<{ code: number; reason: string }>((resolve) => (resolveClosed = resolve));
  const client = createClient({
    url: `${httpUrl.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    lazy: false,
    retryAttempts: 0,
    connectionParams: connectionParams ?? (token ? { authorization: `Bearer ${token}` } : {}),
    on: { closed: (event) => resolveClosed({ code: (event as { code: number; reason: string }).code, reason: (event as { code: number; reason: string }).reason }) },
    onNonLazyError: () => undefined,
  });
  return {
    client,
    closed,
    subscribe: <T>(query: string, variables: Record<string, unknown> = {}) => subscribeOn<T>(client, query, variables),
    dispose: () => client.dispose() as Promise<void>,
  };
}

function subscribeOn<T>(client: Client, query: string, variables: Record<string, unknown>): Subscription<T> {
  const queue: T[] = [];
  const waiters: Array<(value: T) => void> = [];
  const subscription: Subscription<T> = {
    errors: [],
    completed: false,
    next: (timeoutMs = 3000) =>
      new Promise<T>((resolve, reject) => {
        if (queue.length > 0) return resolve(queue.shift()!);
        const waiter = (value: T) => {
          clearTimeout(timer);
          resolve(value);
        };
        // A waiter that timed out leaves the queue, so the next event is not handed to a dead promise.
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error(`no subscription event within ${timeoutMs} ms (errors: ${JSON.stringify(subscription.errors)})`));
        }, timeoutMs);
        waiters.push(waiter);
      }),
    nothingWithin: (ms) =>
      new Promise<boolean>((resolve) => {
        if (queue.length > 0) return resolve(false);
        const waiter = (value: T) => {
          clearTimeout(timer);
          queue.unshift(value);
          resolve(false);
        };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          resolve(true);
        }, ms);
        waiters.push(waiter);
      }),
    dispose: () => undefined,
  };
  subscription.dispose = client.subscribe<T>(
    { query, variables },
    {
      next: (result) => {
        const value = result as unknown as T;
        const waiter = waiters.shift();
        if (waiter) waiter(value);
        else queue.push(value);
      },
      error: (error) => subscription.errors.push(error),
      complete: () => (subscription.completed = true),
    },
  );
  return subscription;
}
