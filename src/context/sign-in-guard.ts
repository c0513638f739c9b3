import { AppError, ErrorCode, unauthenticated } from '../platform/errors';
import type { ParsedToken } from '../platform/opaque-token';
import type { Principal } from './principal';
import type { SignInThrottle } from './sign-in-throttle';

/** What the guard needs of the authenticator: read a token, and verify it. */
export interface TokenVerifier {
  parse(authorization: string | undefined): ParsedToken;
  verify(token: ParsedToken, options?: { refuseMismatch?: boolean; memoryOnly?: boolean }): Promise<Principal>;
}

/**
 * Sign-in with failures throttled, the same for HTTP requests and WebSocket connections. An address
 * past its limit is answered 429 without a query: only tokens verified a moment ago (remembered, so
 * checked in memory) still pass, so that colleagues behind the same NAT as a misbehaving client keep
 * working. A token id under attack answers wrong secrets from memory with 429, while its holder,
 * who has the right secret, still signs in from any address.
 */
export class SignInGuard {
  constructor(private readonly verifier: TokenVerifier, private readonly throttle: SignInThrottle) {}

  async signIn(authorization: string | undefined, clientAddress: string): Promise<Principal> {
    if (authorization === undefined || authorization === '') throw unauthenticated();
    const addressWait = this.throttle.addressBlockedFor(clientAddress);
    if (addressWait !== undefined) return this.signInWhileBlocked(authorization, addressWait);
    let token: ParsedToken | undefined;
    try {
      token = this.verifier.parse(authorization);
      const credentialWait = this.throttle.credentialBlockedFor(token.credentialId);
      try {
        return await this.verifier.verify(token, { refuseMismatch: credentialWait !== undefined });
      } catch (error) {
        if (credentialWait !== undefined && isUnauthenticated(error)) throw tooManyFailures(credentialWait);
        throw error;
      }
    } catch (error) {
      if (!isUnauthenticated(error)) throw error;
      const wait = await this.throttle.failed(clientAddress, token?.credentialId);
      throw wait === undefined ? error : tooManyFailures(wait);
    }
  }

  private async signInWhileBlocked(authorization: string, wait: number): Promise<Principal> {
    try {
      return await this.verifier.verify(this.verifier.parse(authorization), { memoryOnly: true });
    } catch (error) {
      if (isUnauthenticated(error)) throw tooManyFailures(wait);
      throw error;
    }
  }
}

const isUnauthenticated = (error: unknown): boolean => error instanceof AppError && error.code === ErrorCode.UNAUTHENTICATED;

function tooManyFailures(retryAfterSeconds: number): AppError {
  return new AppError(ErrorCode.RATE_LIMITED, 'Too many failed sign-ins: try again later', { retryAfterSeconds });
}
