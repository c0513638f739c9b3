import { Agent, request } from 'node:http';
import type { HttpRequest } from './http-request';

export interface HttpExchange {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  bodyText: string;
}

/**
 * Sends one request over node:http. Not fetch: when the server answers an oversized body with 413
 * and closes the connection before reading it, the client's write fails (EPIPE) although the
 * answer arrived; node:http still hands us the answer, and that answer is what we check.
 */
export class HttpTransport {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 16 });

  constructor(private readonly serverUrl: string, private readonly timeoutMs: number) {}

  /** @param localAddress leave from this local address (the agent keeps separate sockets per address) */
  send(httpRequest: HttpRequest, localAddress?: string): Promise<HttpExchange> {
    const url = new URL(httpRequest.path, this.serverUrl);
    return new Promise((resolve, reject) => {
      let answered = false;
      const options = { method: httpRequest.method, headers: httpRequest.headers, agent: this.agent, timeout: this.timeoutMs, localAddress };
      const outgoing = request(url, options, (response) => {
        answered = true;
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, bodyText: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', reject);
      });
      outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer within ${this.timeoutMs} ms`)));
      outgoing.on('error', (error) => {
        if (!answered) reject(error);
      });
      if (httpRequest.body !== undefined) outgoing.setHeader('content-length', Buffer.byteLength(httpRequest.body));
      outgoing.end(httpRequest.body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** A plain GET, for /healthz. */
export async function getStatus(serverUrl: string, path: string, timeoutMs: number): Promise<number> {
  const response = await fetch(new URL(path, serverUrl), { signal: AbortSignal.timeout(timeoutMs) });
  await response.arrayBuffer();
  return response.status;
}
