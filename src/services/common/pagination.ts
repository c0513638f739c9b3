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

export function decodeCursor(cursor: string, field: string): [string, string] {
  try {
    const values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(values) && values.length === 2 && values.every((v) => typeof v === 'string')) return values as [string, string];
  } catch {
    // fall through to the input error
  }
  throw badInput([{ field, problems: ['is not a cursor returned by this API'] }]);
}

/**
 * The keyset of a list ordered by creation time, then id: the instant (milliseconds, as the cursor
 * travels as a JavaScript Date) and the UUID of the last row. Anything else is bad input, never a
 * database error.
 */
export function decodeCreatedAtCursor(cursor: string, field: string): { createdAt: Date; id: string } {
  const [at, id] = decodeCursor(cursor, field);
  const createdAt = new Date(at);
  if (Number.isNaN(createdAt.getTime()) || createdAt.toISOString() !== at || !isUuid(id)) {
    throw badInput([{ field, problems: ['is not a cursor returned by this API'] }]);
  }
  return { createdAt, id };
}

/** The cursor of a row in a list ordered by creation time, then id. */
export const createdAtKeyOf = (row: { createdAt: Date; id: string }): [string, string] => [row.createdAt.toISOString(), row.id];

/** Rows fetched with limit first + 1 → one page; the extra row only tells that more exist. */
export function toPage<T>(rows: T[], first: number, keyOf: (row: T) => [string, string]): Page<T> {
  const nodes = rows.slice(0, first);
  const last = nodes.at(-1);
  return { nodes, hasNextPage: rows.length > first, endCursor: last === undefined ? undefined : encodeCursor(keyOf(last)) };
}
