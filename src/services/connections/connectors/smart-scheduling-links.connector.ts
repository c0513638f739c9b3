import type { ConnectionFields } from '../booking-systems';
import { problem, type ConnectionProblem } from '../connection-problems';
import {
  utcText, type ConnectionTest, type ExternalBookingAnswer, type ExternalBookingRequest, type ExternalScheduleConnector, type SavedFields, type SlotsAnswer,
} from './connector';
import { parseUrl, type ExternalHttp } from './external-http';

interface Manifest {
  transactionTime?: string;
  output?: Array<{ type?: string; url?: string }>;
}

interface PublishedResource {
  resourceType?: string;
  id?: string;
  name?: string;
  comment?: string;
  actor?: Array<{ reference?: string }>;
  schedule?: { reference?: string };
  status?: string;
  start?: string;
  end?: string;
  extension?: Array<{ url?: string; valueUrl?: string }>;
}

/** What one fetch of a publisher gave: its resources by type, fresh until `freshUntil`. */
interface Publication {
  freshUntil: number;
  byType: Map<string, PublishedResource[]>;
}

const BOOKING_DEEP_LINK = 'http://fhir-registry.smarthealthit.org/StructureDefinition/booking-deep-link';

/**
 * SMART Scheduling Links: a publisher's `$bulk-publish` manifest lists Location, Schedule and
 * Slot files (ndjson). The test: the manifest is one, and the external ID is a Location or
 * Schedule in the files it lists. Its free slots are read-only: each carries the publisher's
 * booking deep link. A publication is fetched again no sooner than its Cache-Control allows
 * (the shortest max-age of the manifest and its files; `minFreshMs` without one), by one request
 * at a time per publisher, whatever the number of readers.
 */
export class SmartSchedulingLinksConnector implements ExternalScheduleConnector {
  readonly code = 'SMART_SCHEDULING_LINKS' as const;
  private readonly publications = new Map<string, Publication>();
  private readonly fetching = new Map<string, Promise<{ ok: true; publication: Publication } | { ok: false; problem: ConnectionProblem }>>();

  constructor(private readonly http: ExternalHttp, private readonly minFreshMs = 60_000, private readonly now: () => number = Date.now) {}

  async test(fields: ConnectionFields): Promise<ConnectionTest> {
    const read = await this.fetchPublication(fields.bookingUrl!, ['Location', 'Schedule']);
    if (!read.ok) return read;
    for (const type of ['Location', 'Schedule']) {
      const found = read.publication.byType.get(type)?.find((resource) => resource.id === fields.externalId);
      if (found) return { ok: true, found: { remoteName: found.name ?? found.comment ?? null } };
    }
    return { ok: false, problem: problem('UNKNOWN_EXTERNAL_ID', 'externalId', 'no Location or Schedule with this id in the published files') };
  }

  /** The slots of the location's (or the one schedule's) published Schedules starting in [from, to). */
  async slots(fields: SavedFields, from: Date, to: Date): Promise<SlotsAnswer> {
    const read = await this.publication(fields.bookingUrl!);
    if (!read.ok) return read;
    const { byType } = read.publication;
    const schedules = new Set((byType.get('Schedule') ?? [])
      .filter((schedule) => schedule.id === fields.externalId || schedule.actor?.some((actor) => actor.reference === `Location/${fields.externalId}`))
      .map((schedule) => `Schedule/${schedule.id}`));
    const slots = (byType.get('Slot') ?? []).filter((slot) => slot.schedule?.reference && schedules.has(slot.schedule.reference) && slot.start && slot.end
      && Date.parse(slot.start) >= from.getTime() && Date.parse(slot.start) < to.getTime());
    return {
      ok: true,
      slots: slots.map((slot) => ({
        start: utcText(slot.start!), end: utcText(slot.end!), free: slot.status === 'free', ref: slot.id ?? null,
        bookingLink: slot.extension?.find((extension) => extension.url === BOOKING_DEEP_LINK)?.valueUrl ?? null,
      })),
    };
  }

  /** Nothing is booked here: the answer is the free slot's deep link, where the patient books at the publisher. */
  async book(fields: SavedFields, request: ExternalBookingRequest): Promise<ExternalBookingAnswer> {
    const read = await this.slots(fields, request.start, new Date(request.start.getTime() + 1));
    if (!read.ok) return { kind: 'PROBLEM', problem: read.problem, ambiguous: false };
    const [slot] = read.slots;
    if (!slot) return { kind: 'OFF_SLOT_GRID' };
    if (!slot.free) return { kind: 'SLOT_UNAVAILABLE' };
    if (!slot.bookingLink) return { kind: 'PROBLEM', problem: problem('MALFORMED_RESPONSE', null, 'the free slot has no booking deep link'), ambiguous: false };
    return { kind: 'BOOK_AT_LINK', bookingLink: slot.bookingLink };
  }

  /** Bookings are made at the publisher, never by careslot: there is nothing of ours to cancel. */
  async cancel(): Promise<{ ok: true }> {
    return { ok: true };
  }

  /** The publisher's files as last fetched while fresh; else fetched again (once, for every reader waiting). */
  private async publication(bookingUrl: string) {
    const known = this.publications.get(bookingUrl);
    if (known && known.freshUntil > this.now()) return { ok: true as const, publication: known };
    let pending = this.fetching.get(bookingUrl);
    if (!pending) {
      pending = this.fetchPublication(bookingUrl, ['Location', 'Schedule', 'Slot']).finally(() => this.fetching.delete(bookingUrl));
      this.fetching.set(bookingUrl, pending);
    }
    const read = await pending;
    if (read.ok) this.publications.set(bookingUrl, read.publication);
    return read;
  }

  private async fetchPublication(bookingUrl: string, types: string[]): Promise<{ ok: true; publication: Publication } | { ok: false; problem: ConnectionProblem }> {
    const at = parseUrl(bookingUrl);
    if (!at.ok) return at;
    const answer = await this.http.getJson(at.url);
    if (!answer.ok) return answer;
    const manifest = answer.json as Manifest | null;
    if (answer.status !== 200 || !manifest || !Array.isArray(manifest.output) || typeof manifest.transactionTime !== 'string') {
      return { ok: false, problem: problem('WRONG_PROTOCOL', 'bookingUrl', 'no $bulk-publish manifest (transactionTime and output) at this URL') };
    }
    const byType = new Map<string, PublishedResource[]>();
    const ages = [maxAgeMs(answer.cacheControl)];
    for (const file of manifest.output.filter((listed) => listed.type && types.includes(listed.type) && typeof listed.url === 'string')) {
      const listed = await this.http.getNdjson(new URL(file.url!, at.url));
      if (!listed.ok) return listed;
      ages.push(maxAgeMs(listed.cacheControl));
      const records = (listed.records as PublishedResource[]).filter((resource) => resource.resourceType === file.type);
      byType.set(file.type!, [...(byType.get(file.type!) ?? []), ...records]);
    }
    const known = ages.filter((age): age is number => age !== null);
    const freshMs = known.length > 0 ? Math.max(Math.min(...known), 0) : this.minFreshMs;
    return { ok: true, publication: { freshUntil: this.now() + freshMs, byType } };
  }
}

/** `max-age` (or `s-maxage`) of a Cache-Control header in ms; `no-cache`/`no-store` is 0; null without one. */
function maxAgeMs(cacheControl: string | undefined): number | null {
  if (!cacheControl) return null;
  if (/\bno-(cache|store)\b/i.test(cacheControl)) return 0;
  const age = /\b(?:s-)?max-age\s*=\s*(\d+)/i.exec(cacheControl);
  return age ? Number(age[1]) * 1000 : null;
}
