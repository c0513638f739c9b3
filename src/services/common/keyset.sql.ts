/**
 * Keyset paging newest first: creation time to the millisecond (the cursor travels as a JavaScript
 * Date), ties broken by id. `at` and `id` name the statement's parameters of the last row seen.
 */
export function newestFirst(alias: string, at: string, id: string): { after: string; orderBy: string } {
  const created = `date_trunc('milliseconds', ${alias}.created_at)`;
  return {
    after: `(${at}::timestamptz IS NULL OR ${created} < ${at} OR (${created} = ${at} AND ${alias}.id > ${id}::uuid))`,
    orderBy: `${created} DESC, ${alias}.id`,
  };
}
