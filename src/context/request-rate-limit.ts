import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { AppError, ErrorCode } from '../platform/errors';

/**
 * Requests per minute per caller (credential, or client address when anonymous), counted the
 * same for HTTP requests and WebSocket operations. Per instance: it protects the process.
 */
export class RequestRateLimiter {
  private readonly limiter: RateLimiterMemory;

  constructor(perMinute: number) {
    this.limiter = new RateLimiterMemory({ points: perMinute, duration: 60 });
  }

  async consume(key: string): Promise<void> {
    try {
      await this.limiter.consume(key);
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      const retryAfterSeconds = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
      throw new AppError(ErrorCode.RATE_LIMITED, 'Too many requests', { retryAfterSeconds });
    }
  }
}
