import type { TenantDatabase } from '../../db/tenant-database';
import { AppError, ErrorCode } from '../../platform/errors';
import type { Logger } from '../../platform/logger';
import type { SecretBox } from '../../platform/secret-box';
import type { Authenticator } from '../../context/authenticator';
import { RequestContext } from '../../context/request-context';
import { HttpPeerClient } from '../../federation/http-peer-client';
import { InProcessPeerClient, type InProcessPeer } from '../../federation/in-process-peer-client';
import type { PeerOperations } from '../../federation/peer-protocol';
import type { OutboundGuard } from '../../federation/outbound-guard';
import { PeerError, type PeerClient } from '../../federation/peer-client';
import { PeerHttpTransport } from '../../federation/peer-http-transport';

export interface PeerConnectorDeps {
  database: TenantDatabase;
  authenticator: Authenticator;
  /** This server's own sharing side: links to it are served in-process. */
  peer: PeerOperations<RequestContext>;
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
  private readonly transport: PeerHttpTransport;
  private readonly inProcess: InProcessPeer<RequestContext>;

  constructor(private readonly deps: PeerConnectorDeps) {
    this.transport = new PeerHttpTransport(deps.guard);
    this.inProcess = {
      operations: deps.peer,
      contextFor: async (token) => {
        try {
          return new RequestContext(deps.database, await deps.authenticator.authenticate(`Bearer ${token}`), deps.logger);
        } catch (error) {
          throw peerFailureOf(error) ?? error;
        }
      },
      failureOf: peerFailureOf,
    };
  }

  forToken(url: string, token: string): PeerClient {
    if (sameOrigin(url, this.deps.ownUrl())) return new InProcessPeerClient(this.inProcess, token);
    return new HttpPeerClient({
      baseUrl: url, token, guard: this.deps.guard, transport: this.transport, timeoutMs: this.deps.timeoutMs, maxResponseBytes: this.deps.maxResponseBytes,
    });
  }

  /** Closes the kept-alive connections to peers. */
  close(): void {
    this.transport.close();
  }

  /** For a stored link: the token is decrypted only here, only to be sent. */
  forLink(link: { remoteUrl: string; tokenCiphertext: Buffer }): PeerClient {
    return this.forToken(link.remoteUrl, this.deps.tokens.open(link.tokenCiphertext));
  }

  seal(token: string): Buffer {
    return this.deps.tokens.seal(token);
  }
}

/** What the sharing side's errors mean to a client, as a remote peer would have answered them. */
function peerFailureOf(error: unknown): PeerError | undefined {
  if (!(error instanceof AppError)) return undefined;
  if (error.code === ErrorCode.CONFLICT) return new PeerError('REFUSED');
  if (error.code === ErrorCode.UNAUTHENTICATED) return new PeerError(error.details.reason === 'REVOKED' ? 'REVOKED' : 'BAD_TOKEN');
  return undefined;
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
