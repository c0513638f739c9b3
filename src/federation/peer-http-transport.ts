import http from 'node:http';
import https from 'node:https';
import { OutboundAddressDenied, type OutboundGuard } from './outbound-guard';
import { PeerError } from './peer-client';

export interface PeerPost {
  url: URL;
  headers: Record<string, string>;
  /** Without a body, a GET. */
  body?: string;
  /** With a body, POST unless told otherwise (a FHIR update is a PUT). */
  method?: 'POST' | 'PUT';
  /** The whole exchange: connecting, sending, the answer and its body. */
  timeoutMs: number;
  maxResponseBytes: number;
  /** An agent of its own (from tlsAgent: a client certificate for mutual TLS); else the shared kept-alive ones. */
  agent?: https.Agent;
}

export interface PeerAnswer {
  status: number;
  body: string;
  headers?: http.IncomingHttpHeaders;
}

/** Idle kept-alive connections close before a peer's (Node's default keepAliveTimeout is 5 s) would. */
const IDLE_SOCKET_MS = 4_000;

/**
 * POSTs to peers over node:http(s) on kept-alive connections. fetch() cost ~0.3–0.9 ms of CPU and
 * latency per call here against ~0.06–0.2 ms for http.request on a kept-alive socket (a loopback
 * POST of a peerBook's size, client and server in one process), and a booking through a share
 * waits on one such call. The rules are fetch's as we used it: a deadline for the whole exchange,
 * a size cap, no redirects followed, and the outbound guard, which now checks the address the
 * connection is made to (the agents' lookup) instead of resolving the name a second time.
 */
export class PeerHttpTransport {
  private readonly agents: { 'http:': http.Agent; 'https:': https.Agent };

  constructor(private readonly guard: OutboundGuard) {
    const options = { keepAlive: true, timeout: IDLE_SOCKET_MS, lookup: guard.lookup };
    this.agents = { 'http:': new http.Agent(options), 'https:': new https.Agent(options) };
  }

  /** A GET (no body) or a POST, under the same rules. */
  async post(request: PeerPost): Promise<PeerAnswer> {
    try {
      this.guard.checkLiteral(request.url);
    } catch (error) {
      throw new PeerError('ADDRESS_NOT_ALLOWED', (error as Error).message);
    }
    try {
      return await this.exchange(request);
    } catch (error) {
      // The peer closed a kept-alive connection as we reused it (its idle timeout ran out): send once
      // more on a fresh connection. Safe even if the first one arrived: every peer operation is a
      // read or idempotent by its key.
      if ((error as { reusedSocket?: boolean }).reusedSocket && isReset(error)) return this.exchange(request, true);
      throw error;
    }
  }

  /** A kept-alive HTTPS agent presenting a client certificate (mutual TLS), under the same guard. */
  tlsAgent(tls: { cert: string; key: string; ca?: string }): https.Agent {
    return new https.Agent({ keepAlive: true, timeout: IDLE_SOCKET_MS, lookup: this.guard.lookup, cert: tls.cert, key: tls.key, ...(tls.ca ? { ca: tls.ca } : {}) });
  }

  close(): void {
    this.agents['http:'].destroy();
    this.agents['https:'].destroy();
  }

  private exchange(request: PeerPost, fresh = false): Promise<PeerAnswer> {
    const { url, maxResponseBytes } = request;
    const transport = url.protocol === 'https:' ? https : http;
    return new Promise<PeerAnswer>((resolve, reject) => {
      let settled = false;
      const fail = (error: PeerError | Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        req.destroy();
        reject(error);
      };
      const req = transport.request(url, {
        method: request.body === undefined ? 'GET' : request.method ?? 'POST',
        agent: request.agent ?? (fresh ? false : this.agents[url.protocol as 'http:' | 'https:']),
        ...(fresh && !request.agent ? { lookup: this.guard.lookup } : {}),
        headers: request.body === undefined ? request.headers : { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) },
      }, (res) => {
        const status = res.statusCode ?? 0;
        if (status >= 300 && status < 400) return fail(new PeerError('REDIRECTED'));
        if (Number(res.headers['content-length'] ?? 0) > maxResponseBytes) return fail(new PeerError('RESPONSE_TOO_LARGE'));
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.byteLength;
          if (size > maxResponseBytes) return fail(new PeerError('RESPONSE_TOO_LARGE'));
          chunks.push(chunk);
        });
        res.on('end', () => {
          if (settled) return;
          settled = true;
          clearTimeout(deadline);
          resolve({ status, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers });
        });
        res.on('error', (error) => fail(transportFailure(error)));
      });
      const deadline = setTimeout(() => fail(new PeerError('TIMEOUT')), request.timeoutMs);
      req.on('error', (error) => {
        if (settled) return;
        const failure = transportFailure(error);
        // Tells post() that a retry may help; the PeerError is what its caller sees.
        if (req.reusedSocket) Object.assign(failure, { reusedSocket: true, cause: error });
        fail(failure);
      });
      req.end(request.body);
    });
  }
}

function isReset(error: unknown): boolean {
  const code = ((error as { cause?: { code?: string } }).cause ?? {}).code;
  return code === 'ECONNRESET' || code === 'EPIPE';
}

/** What went wrong on the way, as a PeerFailure a person can act on. */
export function transportFailure(error: unknown): PeerError {
  if (error instanceof PeerError) return error;
  if (error instanceof OutboundAddressDenied) return new PeerError('ADDRESS_NOT_ALLOWED', error.message);
  const name = (error as { name?: string }).name;
  if (name === 'TimeoutError' || name === 'AbortError') return new PeerError('TIMEOUT');
  const code = (error as { cause?: { code?: string } }).cause?.code ?? (error as { code?: string }).code ?? '';
  if (/CERT|TLS|SSL|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code)) return new PeerError('TLS', code);
  if (/TIMEOUT/.test(code)) return new PeerError('TIMEOUT');
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new PeerError('DNS');
  return new PeerError('UNREACHABLE', code || undefined);
}
