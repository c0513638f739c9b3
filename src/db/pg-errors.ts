/** PostgreSQL error codes (SQLSTATE) the services turn into expected answers. */
export const PG_ERRORS = {
  /** An exclusion constraint refused the row: the time overlaps a booking. */
  EXCLUSION_VIOLATION: '23P01',
  UNIQUE_VIOLATION: '23505',
  /** Concurrent inserts of overlapping times can wait on each other in the exclusion index: one loses. */
  DEADLOCK_DETECTED: '40P01',
} as const;

export function pgErrorCode(error: unknown): string | undefined {
  return (error as { code?: string } | undefined)?.code;
}

/** The constraint (or unique index) a violation names: each is answered by what it protects. */
export function violatedConstraint(error: unknown): string | undefined {
  const constraint = (error as { constraint?: unknown } | undefined)?.constraint;
  return typeof constraint === 'string' ? constraint : undefined;
}
