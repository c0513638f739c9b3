/** A failure of the embedded PostgreSQL, worded as one line that says what to do. */
export class EmbeddedPostgresError extends Error {
  override name = 'EmbeddedPostgresError';
}
