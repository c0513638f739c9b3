import type { DataSource } from 'typeorm';
import type { Logger } from '../platform/logger';
import type { RequestRateLimiter } from '../platform/rate-limit';
import type { Authenticator } from '../services/identity/authenticator';
import type { Principal } from './principal';
import { RequestContext } from './request-context';

/** Builds the per-request context the same way for HTTP requests and WebSocket operations. */
export class ContextFactory {
  constructor(
    private readonly dataSource: DataSource,
    private readonly authenticator: Authenticator,
    private readonly rateLimiter: RequestRateLimiter,
    private readonly logger: Logger,
  ) {}

  /** Verifies the bearer token (UNAUTHENTICATED when it is bad) and counts the request against the caller's limit. */
  async fromAuthorization(authorization: string | undefined, clientAddress: string): Promise<RequestContext> {
    const principal = await this.authenticator.authenticate(authorization);
    return this.forPrincipal(principal, clientAddress);
  }

  async forPrincipal(principal: Principal | undefined, clientAddress: string): Promise<RequestContext> {
    await this.rateLimiter.consume(principal ? `credential:${principal.credentialId}` : `address:${clientAddress}`);
    return new RequestContext(this.dataSource, principal, this.logger);
  }
}
