import { withPgClient } from '../../src/db/pg-client';

/** A cursor-paginated list as the API answers it. */
export interface Connection<T> {
  nodes: T[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/** Every page of a connection, following endCursor until hasNextPage is false; answers the pages in order. */
export async function walkPages<T>(page: (after: string | null) => Promise<Connection<T>>, maxPages = 100): Promise<Array<Connection<T>>> {
  const pages: Array<Connection<T>> = [];
  let after: string | null = null;
  for (let count = 0; count < maxPages; count++) {
    const current = await page(after);
    pages.push(current);
    if (!current.pageInfo.hasNextPage) return pages;
    if (current.pageInfo.endCursor === null) throw new Error('a page with more to come has no endCursor');
    after = current.pageInfo.endCursor;
  }
  throw new Error(`more than ${maxPages} pages: is pagination looping?`);
}

/** Every node of a connection, page after page. */
export async function allNodes<T>(page: (after: string | null) => Promise<Connection<T>>): Promise<T[]> {
  return (await walkPages(page)).flatMap((current) => current.nodes);
}

const base64url = (text: string): string => Buffer.from(text).toString('base64url');

/**
 * `after` values this API never issues: not base64 JSON, the wrong shape, and keysets of the right
 * shape holding the wrong things (not an instant, an instant written otherwise, not a UUID).
 */
export const FORGED_CURSORS: readonly string[] = [
  'not-a-cursor',
  base64url('["x"]'),
  base64url('{"a":1}'),
  base64url(JSON.stringify(['yesterday', '00000000-0000-4000-8000-000000000000'])),
  base64url(JSON.stringify(['2026-01-01T00:00:00Z', '00000000-0000-4000-8000-000000000000'])),
  base64url(JSON.stringify(['2026-01-01T00:00:00.000Z', 'not-a-uuid'])),
];

/** Tables whose lists are ordered by creation time; their rows are keyed (tenant_id, id). */
export type CreatedAtTable = 'schedule_shares' | 'share_links' | 'api_tokens';

/**
 * Sets rows' created_at as the database owner, so that a test's order does not hang on the clock's
 * resolution: `at` is epoch milliseconds, `microseconds` (0–999) lies below the millisecond.
 */
export async function setCreatedAt(
  databaseUrl: string, table: CreatedAtTable, tenantId: string, rows: ReadonlyArray<{ id: string; at: number; microseconds?: number }>,
): Promise<void> {
  await withPgClient(databaseUrl, async (client) => {
    for (const row of rows) {
      const instant = new Date(row.at).toISOString().replace('Z', `${String(row.microseconds ?? 0).padStart(3, '0')}Z`);
      const updated = await client.query(`UPDATE ${table} SET created_at = $3::timestamptz WHERE tenant_id = $1 AND id = $2`, [tenantId, row.id, instant]);
      if (updated.rowCount !== 1) throw new Error(`${table} ${row.id}: no such row`);
    }
  });
}

/** `ids` made one second apart, oldest first, from a whole second a minute ago. */
export function secondsApart(ids: readonly string[]): Array<{ id: string; at: number }> {
  const base = Math.floor(Date.now() / 1000) * 1000 - 60_000;
  return ids.map((id, index) => ({ id, at: base + index * 1000 }));
}
