import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { OutboundGuard } from '../../src/federation/outbound-guard';
import { PeerError } from '../../src/federation/peer-client';
import { PeerHttpTransport } from '../../src/federation/peer-http-transport';

/**
 * The peer HTTP transport against small local servers: kept-alive connections are reused (and
 * replaced when the peer closed one), and the rules fetch enforced still hold: deadline, size cap,
 * no redirects, the outbound guard.
 */
describe('the peer HTTP transport', () => {
  let server: Server;
  let url: URL;
  let connections: number;
  let sockets: Set<Socket>;
  let handle: (req: IncomingMessage, res: ServerResponse) => void;
  let transport: PeerHttpTransport;

  beforeAll(async () => {
    server = createServer((req, res) => handle(req, res));
    server.on('connection', (socket) => {
      connections += 1;
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`);
  });
  beforeEach(() => {
    connections = 0;
    sockets = new Set();
    handle = (req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => res.end(JSON.stringify({ echo: body, authorization: req.headers.authorization })));
    };
    transport = new PeerHttpTransport(new OutboundGuard({ allowLoopback: true, deniedCidrs: [] }));
  });
  afterEach(() => {
    transport.close();
    for (const socket of sockets) socket.destroy();
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const post = (body: string, options: { timeoutMs?: number; maxResponseBytes?: number; to?: URL; with?: PeerHttpTransport } = {}) =>
    (options.with ?? transport).post({
      url: options.to ?? url, headers: { 'content-type': 'application/json', authorization: 'Bearer t' }, body,
      timeoutMs: options.timeoutMs ?? 2000, maxResponseBytes: options.maxResponseBytes ?? 10_000,
    });
  const failureOf = async (promise: Promise<unknown>) => {
    try {
      await promise;
      return 'answered';
    } catch (error) {
      return error instanceof PeerError ? error.failure : String(error);
    }
  };

  it('sends the body and headers, and reuses one kept-alive connection for calls in a row', async () => {
    for (let i = 0; i < 5; i++) {
      const answer = await post(`{"n":${i}}`);
      expect({ status: answer.status, body: answer.body }).toEqual({ status: 200, body: JSON.stringify({ echo: `{"n":${i}}`, authorization: 'Bearer t' }) });
    }
    expect(connections).toBe(1);
  });

  it('sends again on a fresh connection when the peer closed the kept-alive one as it was reused', async () => {
    await post('{}');
    // The peer drops the idle connection without a word, as a server whose keep-alive timeout ran out.
    handle = (req, res) => {
      req.socket.destroy();
      handle = (again, answer) => again.on('data', () => undefined).on('end', () => answer.end('{"second":true}'));
      void res;
    };
    const answer = await post('{}');
    expect(answer.body).toBe('{"second":true}');
  });

  it('TIMEOUT when the whole exchange outlasts the deadline', async () => {
    handle = () => undefined;
    expect(await failureOf(post('{}', { timeoutMs: 200 }))).toBe('TIMEOUT');
  });

  it('RESPONSE_TOO_LARGE, declared or streamed', async () => {
    handle = (req, res) => req.resume().on('end', () => res.end('x'.repeat(2000)));
    expect(await failureOf(post('{}', { maxResponseBytes: 1000 }))).toBe('RESPONSE_TOO_LARGE');
    handle = (req, res) => req.resume().on('end', () => {
      res.writeHead(200, { 'transfer-encoding': 'chunked' });
      for (let i = 0; i < 20; i++) res.write('x'.repeat(100));
      res.end();
    });
    expect(await failureOf(post('{}', { maxResponseBytes: 1000 }))).toBe('RESPONSE_TOO_LARGE');
  });

  it('REDIRECTED: a redirect is never followed', async () => {
    let followed = false;
    handle = (req, res) => {
      if (req.url === '/elsewhere') followed = true;
      req.resume().on('end', () => res.writeHead(307, { location: '/elsewhere' }).end());
    };
    expect(await failureOf(post('{}'))).toBe('REDIRECTED');
    expect(followed).toBe(false);
  });

  it('ADDRESS_NOT_ALLOWED for a denied address, written as an address or as a name, before any connection', async () => {
    const guarded = new PeerHttpTransport(new OutboundGuard({ allowLoopback: false, deniedCidrs: [] }));
    try {
      expect(await failureOf(post('{}', { with: guarded }))).toBe('ADDRESS_NOT_ALLOWED');
      expect(await failureOf(post('{}', { with: guarded, to: new URL(`http://localhost:${url.port}/graphql`) }))).toBe('ADDRESS_NOT_ALLOWED');
      expect(await failureOf(post('{}', { with: guarded, to: new URL(`http://[::ffff:127.0.0.1]:${url.port}/graphql`) }))).toBe('ADDRESS_NOT_ALLOWED');
      expect(connections).toBe(0);
    } finally {
      guarded.close();
    }
  });

  it('UNREACHABLE when nothing listens, DNS when the name does not resolve', async () => {
    expect(await failureOf(post('{}', { to: new URL('http://127.0.0.1:1/graphql') }))).toBe('UNREACHABLE');
    expect(await failureOf(post('{}', { to: new URL('http://no-such-host.invalid/graphql') }))).toBe('DNS');
  });
});
