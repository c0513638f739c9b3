import type { TenantDatabase } from '../db/tenant-database';
import type { Logger } from '../platform/logger';
import type { RequestRateLimiter } from './request-rate-limit';
import type { Principal } from './principal';
import { RequestContext } from './request-context';
import type { SignInGuard } from './sign-in-guard';

/** Builds the per-request context the same way for HTTP requests and WebSocket operations. */
export class ContextFactory {
  constructor(
    private readonly database: TenantDatabase,
    readonly signIn: SignInGuard,
    private readonly rateLimiter: RequestRateLimiter,
    private readonly logger: Logger,
  ) {}

  /**
   * Verifies the bearer token first (UNAUTHENTICATED when it is missing or bad, RATE_LIMITED after
   * too many failures) and counts the request against the caller's limit.
   */
  async fromAuthorization(authorization: string | undefined, clientAddress: string, requestId?: string): Promise<RequestContext> {
    const principal = await this.signIn.signIn(authorization, clientAddress);
    return this.forPrincipal(principal, requestId);
  }

  async forPrincipal(principal: Principal, requestId?: string): Promise<RequestContext> {
    await this.rateLimiter.consume(`credential:${principal.credentialId}`);
    return new RequestContext(this.database, principal, this.logger, requestId);
  }
}
