import DataLoader from 'dataloader';
import type { RequestContext } from '../../context/request-context';
import type { Tx } from '../../db/unit-of-work';

/**
 * A per-request DataLoader over the caller's tenant: one statement per batch of ids, and the
 * batch runs in the caller's tenant transaction, so a batch can never cross tenants.
 * Missing ids (including other tenants' ids) load as undefined.
 */
export function rowsById<Row extends { id: string }>(
  ctx: RequestContext,
  key: symbol,
  fetch: (tx: Tx, ids: readonly string[]) => Promise<Row[]>,
): DataLoader<string, Row | undefined> {
  return ctx.memoize(key, () => new DataLoader<string, Row | undefined>(async (ids) => {
    const rows = await ctx.singleStatement((tx) => fetch(tx, ids));
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id));
  }));
}

/** Same, for one-to-many: rows grouped by a parent id (e.g. a schedule's opening hours). */
export function rowsByParent<Row>(
  ctx: RequestContext,
  key: symbol,
  fetch: (tx: Tx, parentIds: readonly string[]) => Promise<Row[]>,
  parentOf: (row: Row) => string,
): DataLoader<string, Row[]> {
  return ctx.memoize(key, () => new DataLoader<string, Row[]>(async (parentIds) => {
    const rows = await ctx.singleStatement((tx) => fetch(tx, parentIds));
    const groups = new Map<string, Row[]>();
    for (const row of rows) {
      const parent = parentOf(row);
      groups.set(parent, [...(groups.get(parent) ?? []), row]);
    }
    return parentIds.map((id) => groups.get(id) ?? []);
  }));
}

/**
 * The rows a per-request loader finds for these ids, in their order (one batch); ids it does not
 * find (deleted meanwhile, another tenant's) are left out, and a failed batch fails the caller.
 */
export async function foundRows<Row>(loader: DataLoader<string, Row | undefined>, ids: readonly string[]): Promise<Row[]> {
  const rows: Array<Row | undefined> = await Promise.all(ids.map((id) => loader.load(id)));
  return rows.filter((row): row is Row => row !== undefined);
}
