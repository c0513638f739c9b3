const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (value: string): boolean => UUID.test(value);

/**
 * Ids that can be looked up. Loaders receive ids from anywhere (other services, stored rows);
 * one malformed id must make its own lookup miss, not fail the whole batch's uuid[] cast.
 */
export function lookupableIds(ids: readonly string[]): string[] {
  return ids.filter(isUuid);
}

/**
 * `col = $n, …` for the fields present in a partial change: undefined keeps the column, null clears it.
 * Column names come only from the caller's fixed map, never from input.
 */
export function assignments<Change extends object>(
  change: Change,
  columns: { [K in keyof Change]?: string },
  firstParameter: number,
): { sql: string; parameters: unknown[] } {
  const parts: string[] = [];
  const parameters: unknown[] = [];
  for (const [field, column] of Object.entries(columns) as Array<[keyof Change, string]>) {
    const value = change[field];
    if (value === undefined) continue;
    parameters.push(value);
    parts.push(`${column} = $${firstParameter + parameters.length - 1}`);
  }
  return { sql: [...parts, 'updated_at = now()'].join(', '), parameters };
}

export function isUniqueViolation(error: unknown, constraint: string): boolean {
  const failure = error as { code?: string; constraint?: string } | null;
  return failure?.code === '23505' && failure.constraint === constraint;
}
