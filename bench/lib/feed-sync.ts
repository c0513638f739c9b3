import { join } from 'node:path';
import { ReusedWorker } from './processes';

/**
 * A partner's full sync: pages of a feed one after another, each asked with the cursor the last
 * one answered, until hasMore is false. The same loop reads careslot's `partnerAppointments` and
 * the floor's `/partner-sync`, which answers the same JSON shape.
 */
export interface FeedSyncJob {
  /** careslot: POST `url` (its /graphql) with `body(after)` and the token; floor: GET `url`?after=…&first=…. */
  side: 'careslot' | 'floor';
  url: string;
  token?: string;
  /** The GraphQL document (careslot side), asked with variables { after, first }. */
  query?: string;
  first: number;
  /** Stop after this many pages (a warm-up); without it, until hasMore is false. */
  maxPages?: number;
}

export interface FeedSyncResult {
  pages: number;
  /** From the first request to the end of the last answer's handling. */
  seconds: number;
  /** Appointments received (UPSERT changes) and tombstones (REMOVE changes). */
  upserts: number;
  removes: number;
  /** What the partner holds at the end, changes applied in order (an UPSERT adds, a REMOVE forgets the appointment or every one of the patient's). */
  ids: string[];
  /** Per page, in milliseconds: from sending the request to the last byte of its answer. */
  pageMs: number[];
  /** The cursor after each page. */
  cursors: Array<string | null>;
  /** x-sql-statements per page (careslot only). */
  statements: number[];
  bytes: number;
  /** The first page that was not a 200 with a page in it, if any (the sync stops there). */
  failure?: string;
}

const syncWorker = new ReusedWorker(join(__dirname, 'feed-sync-worker.js'));

/** In a forked worker (one for the whole bench): the paging client never shares an event loop with a measured server. */
export function runFeedSync(job: FeedSyncJob): Promise<FeedSyncResult> {
  return syncWorker.run<FeedSyncResult>(job);
}
