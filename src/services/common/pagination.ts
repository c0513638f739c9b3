import { badInput } from '../../platform/errors';

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

/** Rows fetched with limit first + 1 → one page; the extra row only tells that more exist. */
export function toPage<T>(rows: T[], first: number, keyOf: (row: T) => [string, string]): Page<T> {
  const nodes = rows.slice(0, first);
  const last = nodes.at(-1);
  return { nodes, hasNextPage: rows.length > first, endCursor: last === undefined ? undefined : encodeCursor(keyOf(last)) };
}
