import { decodeCursor } from '../common/pagination';

/** The (sort key, id) a catalog page continues after; a cursor this API did not issue is bad input. */
export function keysetAfter(after: string | undefined): [string, string] | undefined {
  return after ? decodeCursor(after, 'after') : undefined;
}
