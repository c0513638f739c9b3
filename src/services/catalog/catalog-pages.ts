import { badInput } from '../../platform/errors';
import { decodeCursor } from '../common/pagination';
import { isUuid } from './catalog-support.sql';

/** The (sort key, id) a catalog page continues after; a cursor this API did not issue is bad input. */
export function keysetAfter(after: string | undefined): [string, string] | undefined {
  if (!after) return undefined;
  const key = decodeCursor(after, 'after');
  if (!isUuid(key[1])) throw badInput([{ field: 'after', problems: ['is not a cursor returned by this API'] }]);
  return key;
}
