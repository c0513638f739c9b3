/**
 * Marks a field (`@Extensions({ [FLAT_PAGE]: true })`) whose page is read by one statement and
 * whose items are the fields of those rows: the query-cost limit prices it by its rows and its
 * shape, not rows × fields; only what an item needs a resolver of its own for (a field that is not
 * a plain field of the row and not SERVED_BY_PAGE) is priced again per row (src/http/limits/operation-cost.ts).
 */
export const FLAT_PAGE = 'flatPage';

/**
 * Marks a field with a resolver whose data the flat page's one read already embeds in the row when
 * it is selected (an agenda's schedule, practitioner, patient, service): priced as a plain field.
 */
export const SERVED_BY_PAGE = 'servedByPage';
