import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export interface OpenedConnection {
  client: Client;
  /** Resolves once the server acknowledged the connection (never, if it refused it). */
  acknowledged: Promise<void>;
  closed: Promise<{ code: number; reason: string }>;
  isClosed: boolean;
}

/** A WebSocket implementation whose sockets leave from the given local address. */
function webSocketFrom(localAddress: string | undefined): unknown {
  if (localAddress === undefined) return WebSocket;
  return class extends WebSocket {
    constructor(address: string | URL, protocols?: string | string[]) {
      super(address, protocols, { localAddress });
    }
  };
}

/**
 * A graphql-ws client over a real WebSocket, like test/helpers/ws-client's, that may also leave
 * from another local address (see fuzz-world.ts: callers without a valid token come from elsewhere).
 */
export function openConnection(serverUrl: string, authorization: string | undefined, localAddress?: string): OpenedConnection {
  let resolveClosed!: (event: { code: number; reason: string }) => void;
  let resolveAcknowledged!: () => void;
  const opened: OpenedConnection = {
    client: undefined as unknown as Client,
    acknowledged: new Promise<void>((resolve) => (resolveAcknowledged = resolve)),
    closed: new Promise((resolve) => (resolveClosed = resolve)),
    isClosed: false,
  };
  opened.client = createClient({
    url: `${serverUrl.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: webSocketFrom(localAddress),
    lazy: false,
    retryAttempts: 0,
    connectionParams: authorization === undefined ? {} : { authorization },
    on: {
      connected: () => resolveAcknowledged(),
      closed: (event) => {
        opened.isClosed = true;
        const { code, reason } = event as { code: number; reason: string };
        resolveClosed({ code, reason: String(reason) });
      },
    },
    onNonLazyError: () => undefined,
  });
  return opened;
}
