import type { DataSource } from 'typeorm';
import type { Logger } from '../platform/logger';
import type { SecretBox } from '../platform/secret-box';
import type { Authenticator } from '../services/identity/authenticator';
import type { PeerService } from '../services/sharing/peer.service';
import { HttpPeerClient } from './http-peer-client';
import { InProcessPeerClient } from './in-process-peer-client';
import type { OutboundGuard } from './outbound-guard';
import type { PeerClient } from './peer-client';

export interface PeerConnectorDeps {
  dataSource: DataSource;
  authenticator: Authenticator;
  peer: PeerService;
  guard: OutboundGuard;
  tokens: SecretBox;
  logger: Logger;
  timeoutMs: number;
  maxResponseBytes: number;
  /** This server's own public URL: links to it are served in-process. */
  ownUrl: () => string;
}

/** The one place that turns a link (URL + token) into a PeerClient. */
export class PeerConnector {
  constructor(private readonly deps: PeerConnectorDeps) {}

  forToken(url: string, token: string): PeerClient {
    if (sameOrigin(url, this.deps.ownUrl())) return new InProcessPeerClient(this.deps, token);
    return new HttpPeerClient({ baseUrl: url, token, guard: this.deps.guard, timeoutMs: this.deps.timeoutMs, maxResponseBytes: this.deps.maxResponseBytes });
  }

  /** For a stored link: the token is decrypted only here, only to be sent. */
  forLink(link: { remoteUrl: string; tokenCiphertext: Buffer }): PeerClient {
    return this.forToken(link.remoteUrl, this.deps.tokens.open(link.tokenCiphertext));
  }

  seal(token: string): Buffer {
    return this.deps.tokens.seal(token);
  }
}

function sameOrigin(a: string, b: string): boolean {
  try {
    const left = new URL(a);
    const right = new URL(b);
    const loopback = (host: string) => ['127.0.0.1', 'localhost', '[::1]'].includes(host);
    const sameHost = left.hostname === right.hostname || (loopback(left.hostname) && loopback(right.hostname));
    return left.protocol === right.protocol && sameHost && left.port === right.port;
  } catch {
    return false;
  }
}
