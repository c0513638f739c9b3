import type { RequestContext } from '../../context/request-context';
import { AppError, ErrorCode } from '../../platform/errors';

export interface AttemptPolicy {
  /** More than this many failures block the subject. */
  maxFailures: number;
  /** How long a block lasts, and how long failures are remembered. */
  windowSeconds: number;
}

export const CONNECTION_TEST_POLICY: AttemptPolicy = { maxFailures: 5, windowSeconds: 3600 };

/**
 * The scope every "test the connection" operation of a user counts in (seed 004): share links and
 * booking-system connections alike, test and test-and-save alike.
 */
export const CONNECTION_TESTS = 'connection-test';

/**
 * Failed attempts per subject (a user) and scope, counted in the database so the block holds on
 * every server. Race-free: an attempt is registered as in flight BEFORE its outbound call, in one
 * atomic statement that admits it only while failures + attempts in flight stay within the limit;
 * so concurrent attempts can never overshoot it together.
 */
export class AttemptLimiter {
  constructor(private readonly policy: AttemptPolicy = CONNECTION_TEST_POLICY) {}

  /** Registers the attempt, or RATE_LIMITED (blocked, or as many attempts in flight as failures left). */
  async begin(ctx: RequestContext, subject: string, scope: string): Promise<void> {
    await ctx.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO attempt_counters (tenant_id, subject, scope) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
        [tx.tenantId, subject, scope],
      );
      // The row lock serialises concurrent attempts of one subject on every server.
      const [counter] = await tx.query<{ attempts: number; failures: number; blockedFor: number | null; windowOver: boolean }>(
        `SELECT attempts, failures, ceil(extract(epoch FROM blocked_until - now()))::int AS "blockedFor",
                window_started_at + make_interval(secs => $4) <= now() AS "windowOver"
         FROM attempt_counters WHERE tenant_id = $1 AND subject = $2 AND scope = $3 FOR UPDATE`,
        [tx.tenantId, subject, scope, this.policy.windowSeconds],
      );
      if (counter.blockedFor !== null && counter.blockedFor > 0) throw tooManyAttempts(counter.blockedFor);
      const forget = counter.windowOver || counter.blockedFor !== null;
      const failures = forget ? 0 : counter.failures;
      if (failures + counter.attempts > this.policy.maxFailures) throw tooManyAttempts(5);
      await tx.query(
        `UPDATE attempt_counters SET attempts = attempts + 1, failures = $4, blocked_until = NULL,
           window_started_at = CASE WHEN $5::boolean THEN now() ELSE window_started_at END
         WHERE tenant_id = $1 AND subject = $2 AND scope = $3`,
        [tx.tenantId, subject, scope, failures, forget],
      );
    });
  }

  async succeeded(ctx: RequestContext, subject: string, scope: string): Promise<void> {
    await this.finish(ctx, subject, scope, false);
  }

  /** More than maxFailures failures within the window block the subject for windowSeconds. */
  async failed(ctx: RequestContext, subject: string, scope: string): Promise<void> {
    await this.finish(ctx, subject, scope, true);
  }

  private async finish(ctx: RequestContext, subject: string, scope: string, failure: boolean): Promise<void> {
    await ctx.transaction((tx) => tx.query(
      `UPDATE attempt_counters SET attempts = greatest(attempts - 1, 0), failures = failures + $4::int,
         blocked_until = CASE WHEN failures + $4::int > $5 THEN coalesce(blocked_until, now() + make_interval(secs => $6)) ELSE blocked_until END
       WHERE tenant_id = $1 AND subject = $2 AND scope = $3`,
      [tx.tenantId, subject, scope, failure ? 1 : 0, this.policy.maxFailures, this.policy.windowSeconds],
    ));
  }
}

function tooManyAttempts(retryAfterSeconds: number): AppError {
  return new AppError(ErrorCode.RATE_LIMITED, 'Too many failed attempts: try again later', { retryAfterSeconds });
}
