import { badInput } from '../../platform/errors';
import { isUuid } from '../../platform/ids';

export interface PageRequest {
  first: number;
  after?: string;
}

export interface Page<T> {
  nodes: T[];
  hasNextPage: boolean;
  endCursor?: string;
}

/** Cursors are opaque to clients: base64url of the keyset values of the last row. */
export function encodeCursor(values: Array<string | number>): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

/**
 * The keyset of the last row of a page: a sort key and the row's UUID (every list breaks ties by
 * id). Anything this API did not issue is bad input, never a database error.
 */
export function decodeCursor(cursor: string, field: string): [string, string] {
  try {
    const values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(values) && values.length === 2 && values.every((v) => typeof v === 'string') && isUuid(values[1] as string)) {
      return values as [string, string];
    }
  } catch {
    // fall through to the input error
  }
  throw notACursor(field);
}

/**
 * The keyset of a list ordered by an instant, then id (creation time, start): the instant as this
 * API wrote it (ISO, milliseconds) and the UUID of the last row.
 */
export function decodeInstantCursor(cursor: string, field: string): { at: Date; id: string } {
  const [text, id] = decodeCursor(cursor, field);
  const at = new Date(text);
  if (Number.isNaN(at.getTime()) || at.toISOString() !== text) throw notACursor(field);
  return { at, id };
}

/** The keyset of a list ordered by creation time, then id. */
export function decodeCreatedAtCursor(cursor: string, field: string): { createdAt: Date; id: string } {
  const { at, id } = decodeInstantCursor(cursor, field);
  return { createdAt: at, id };
}

const notACursor = (field: string) => badInput([{ field, problems: ['is not a cursor returned by this API'] }]);

/** The cursor of a row in a list ordered by creation time, then id. */
export const createdAtKeyOf = (row: { createdAt: Date; id: string }): [string, string] => [row.createdAt.toISOString(), row.id];

/** Rows fetched with limit first + 1 → one page; the extra row only tells that more exist. */
export function toPage<T>(rows: T[], first: number, keyOf: (row: T) => [string, string]): Page<T> {
  const nodes = rows.slice(0, first);
  const last = nodes.at(-1);
  return { nodes, hasNextPage: rows.length > first, endCursor: last === undefined ? undefined : encodeCursor(keyOf(last)) };
}
