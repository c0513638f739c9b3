import { request as httpRequest } from 'node:http';
import WebSocket from 'ws';

/**
 * Calls from a chosen loopback address (127.0.0.2, 127.0.0.3, …: every 127/8 address reaches the
 * test server on Linux), so that tests can be several clients on one machine.
 */
export function postFrom(localAddress: string, serverUrl: string, query: string, token?: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: any }> {
  const url = new URL('/graphql', serverUrl);
  const payload = JSON.stringify({ query });
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, {
      method: 'POST', localAddress,
      headers: {
        'content-type': 'application/json', accept: 'application/graphql-response+json', 'content-length': Buffer.byteLength(payload),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text ? JSON.parse(text) : undefined });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** A graphql-ws connection_init from a chosen address: whether it was acknowledged, or how it closed. */
export function wsSignInFrom(localAddress: string, serverUrl: string, token: string): Promise<{ acknowledged: boolean; code?: number; reason?: string }> {
  const socket = new WebSocket(`${serverUrl.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws', { localAddress });
  return new Promise((resolve, reject) => {
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } })));
    socket.on('message', (data) => {
      if ((JSON.parse(String(data)) as { type: string }).type === 'connection_ack') {
        resolve({ acknowledged: true });
        socket.close();
      }
    });
    socket.on('close', (code, reason) => resolve({ acknowledged: false, code, reason: String(reason) }));
    socket.on('error', reject);
  });
}
