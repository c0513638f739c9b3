import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Pem {
  cert: string;
  key: string;
}

export interface CertificateAuthority extends Pem {
  /** A certificate signed by this CA: a server's (SAN localhost and 127.0.0.1) or a client's. */
  issue(commonName: string, usage: 'server' | 'client'): Pem;
  /** Removes the CA's files (the PEM texts handed out stay valid). */
  dispose(): void;
}

/**
 * A throw-away certificate authority made with openssl for one test file (EC P-256 keys, one day):
 * mutual TLS in tests without any certificate checked in.
 */
export function createCertificateAuthority(name = 'careslot test CA'): CertificateAuthority {
  const dir = mkdtempSync(join(tmpdir(), 'careslot-ca-'));
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });
  const path = (file: string) => join(dir, file);
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', path('ca.key'), '-out', path('ca.pem'),
    '-days', '1', '-subj', `/CN=${name}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  const ca = { cert: readFileSync(path('ca.pem'), 'utf8'), key: readFileSync(path('ca.key'), 'utf8') };
  let serial = 0;
  return {
    ...ca,
    issue(commonName, usage) {
      const id = `cert-${++serial}`;
      openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', path(`${id}.key`), '-out', path(`${id}.csr`), '-subj', `/CN=${commonName}`);
      writeFileSync(path(`${id}.ext`), usage === 'server'
        ? 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n'
        : 'extendedKeyUsage=clientAuth\n');
      openssl('x509', '-req', '-in', path(`${id}.csr`), '-CA', path('ca.pem'), '-CAkey', path('ca.key'), '-set_serial', String(1000 + serial),
        '-days', '1', '-out', path(`${id}.pem`), '-extfile', path(`${id}.ext`));
      return { cert: readFileSync(path(`${id}.pem`), 'utf8'), key: readFileSync(path(`${id}.key`), 'utf8') };
    },
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}
