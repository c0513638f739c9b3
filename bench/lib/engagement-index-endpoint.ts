import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { CertificateAuthority } from '../../test/support/tls-certificates';

/**
 * The bench's stand-in for the engagement index: HTTPS with mutual TLS, answers OK at once, and
 * notes when each appointment's transaction arrived and how many transactions each request held
 * (the tests' stand-in validates against the XSD; here only speed is measured).
 */
export interface BenchEngagementIndex {
  url: string;
  hsaId: string;
  requests: number[];
  arrivals: Map<string, number>;
  close(): Promise<void>;
}

const OK = '<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
  + '<upd:UpdateResponse xmlns:upd="urn:riv:itintegration:engagementindex:UpdateResponder:1"><upd:ResultCode>OK</upd:ResultCode></upd:UpdateResponse></soap:Body></soap:Envelope>';

export async function startBenchEngagementIndex(ca: CertificateAuthority): Promise<BenchEngagementIndex> {
  const server = ca.issue('localhost', 'server');
  const requests: number[] = [];
  const arrivals = new Map<string, number>();
  const httpsServer = https.createServer({ key: server.key, cert: server.cert, ca: [ca.cert], requestCert: true, rejectUnauthorized: true }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const at = performance.now();
      const xml = Buffer.concat(chunks).toString('utf8');
      let count = 0;
      for (const match of xml.matchAll(/<(?:\w+:)?businessObjectInstanceIdentifier>([^<]+)</g)) {
        count++;
        if (!arrivals.has(match[1])) arrivals.set(match[1], at);
      }
      requests.push(count);
      res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' });
      res.end(OK);
    });
  });
  await new Promise<void>((resolve) => httpsServer.listen(0, '127.0.0.1', resolve));
  const { port } = httpsServer.address() as AddressInfo;
  return {
    url: `https://localhost:${port}/ei`, hsaId: 'SE2321000016-EI01', requests, arrivals,
    close: () => new Promise<void>((resolve) => {
      httpsServer.closeAllConnections();
      httpsServer.close(() => resolve());
    }),
  };
}
