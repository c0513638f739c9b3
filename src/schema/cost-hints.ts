/**
 * Marks a field (`@Extensions({ [FLAT_PAGE]: true })`) whose page is read by one statement and
 * whose items are plain fields of those rows (no resolver per item): the query-cost limit prices it
 * by its rows, not rows × fields (src/http/limits/operation-cost.ts).
 */
export const FLAT_PAGE = 'flatPage';
