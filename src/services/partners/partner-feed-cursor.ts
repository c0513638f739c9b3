import type { FeedPosition } from './partner-feed.model';

const NIL_UUID = '00000000-0000-0000-0000-000000000000';
/** A full pass's first page: every row counts as changed before it began. */
export const BEFORE_EVERYTHING = '9223372036854775807';

/** Where a partner starts (again): before every row, a full pass beginning. */
export const startOf = (epoch: number): FeedPosition => ({ epoch, xid: '0', id: NIL_UUID, fullFrom: BEFORE_EVERYTHING });

/** Opaque to partners; bound to the partner, so another partner's cursor starts over. */
export function encodeCursor(partnerId: string, position: FeedPosition): string {
  return Buffer.from(JSON.stringify({ p: partnerId, e: position.epoch, x: position.xid, i: position.id, f: position.fullFrom })).toString('base64url');
}

/** The position a cursor names, or undefined when it is not one of this partner's (or not a cursor). */
export function decodeCursor(partnerId: string, cursor: string): FeedPosition | undefined {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { p?: unknown; e?: unknown; x?: unknown; i?: unknown; f?: unknown };
    const digits = (text: unknown): text is string => typeof text === 'string' && /^\d{1,19}$/.test(text);
    const uuid = typeof value.i === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(value.i);
    if (value.p !== partnerId || !Number.isInteger(value.e) || !digits(value.x) || !uuid || !(value.f === null || digits(value.f))) return undefined;
    return { epoch: value.e as number, xid: value.x, id: value.i as string, fullFrom: value.f as string | null };
  } catch {
    return undefined;
  }
}
