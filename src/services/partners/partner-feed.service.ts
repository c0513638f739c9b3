import type { PartnerAppPrincipal, PartnerUserPrincipal } from '../../context/principal';
import type { RequestContext } from '../../context/request-context';
import type { Authenticator } from '../../context/authenticator';
import type { EventBus } from '../../events/event-bus';
import type { Tx } from '../../db/unit-of-work';
import { forbidden } from '../../platform/errors';
import { AGENDA_TOPIC } from '../common/agenda-topic';
import { recordAudit } from '../common/audit-log.sql';
import { partnerDataAccessRepository } from './partner-data-access.sql';
import { PARTNER_FEED_TOPIC } from '../common/partner-feed-topic';
import { neverOpened } from './partner-data-access.service';
import { BEFORE_EVERYTHING, decodeCursor, encodeCursor, startOf } from './partner-feed-cursor';
import type { FeedChange, FeedPage, FeedPosition, FeedRow } from './partner-feed.model';
import { partnerFeedRepository } from './partner-feed.sql';

interface SharedRead {
  credentials: Set<string>;
  started: boolean;
  page: Promise<FeedPage>;
}

/** What a live feed sends: the changes, then, when access closes, that it closed (and it ends). */
export type FeedEvent = FeedChange | { kind: 'RESET'; cursor: string } | { kind: 'ACCESS_CLOSED'; cursor: null };

/** How long a live feed waits for a wake-up before it looks anyway (a change committed behind a long transaction). */
const LOOK_ANYWAY_MS = 1000;

/**
 * Seed 002's feed of shared patient and appointment data, for a partner user or app: a sync query
 * (pages after a cursor, with tombstones) and a live stream that replays from a cursor and goes on.
 * Every row is judged when it is read, under the partner's current rights and the patient's current
 * consents; every page that shows patient data is audited.
 */
export class PartnerFeedService {
  /** Live feeds' reads in progress, by tenant, partner, page size and cursor. */
  private readonly reads = new Map<string, SharedRead>();

  constructor(private readonly bus: EventBus, private readonly authenticator: Authenticator) {}

  async page(ctx: RequestContext, after: string | undefined, first: number): Promise<FeedPage> {
    return this.read(ctx, after, first, [ctx.caller.credentialId]);
  }

  /**
   * One page for the partner's live feeds woken by the same change: the feeds at the same cursor
   * share one read (a consent change reaching a hundred subscribers of a partner is one query), and
   * its audit record names every credential it was read for. A feed that joins after the read began
   * gets the same page and an audit record of its own.
   */
  private livePage(ctx: RequestContext, after: string, first: number): Promise<FeedPage> {
    const credentialId = ctx.caller.credentialId;
    const key = `${ctx.tenantId}:${partnerOf(ctx).partnerId}:${first}:${after}`;
    const joined = this.reads.get(key);
    if (joined && !joined.started) {
      joined.credentials.add(credentialId);
      return joined.page;
    }
    if (joined) return joined.page.then(async (page) => {
      await this.auditShown(ctx, page.changes, [credentialId]);
      return page;
    });
    const read: SharedRead = { credentials: new Set([credentialId]), started: false, page: Promise.resolve() as unknown as Promise<FeedPage> };
    // The feeds woken by one event are poked in one turn of the event loop: they join before the read starts.
    read.page = new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      read.started = true;
      return this.read(ctx, after, first, [...read.credentials]);
    }).finally(() => this.reads.delete(key));
    this.reads.set(key, read);
    return read.page;
  }

  private async read(ctx: RequestContext, after: string | undefined, first: number, credentialIds: string[]): Promise<FeedPage> {
    const partnerId = partnerOf(ctx).partnerId;
    return ctx.transaction(async (tx) => {
      const access = (await partnerDataAccessRepository.find(tx, partnerId)) ?? neverOpened(partnerId);
      const given = after === undefined ? undefined : decodeCursor(partnerId, after);
      if (access.state !== 'OPEN') return { access, changes: [], cursor: null, hasMore: false, reset: after !== undefined };
      const resumes = given !== undefined && given.epoch === access.epoch;
      const from = resumes ? given : startOf(access.epoch);
      const { rows, horizon } = await partnerFeedRepository.page(tx, from, first);
      const hasMore = rows.length === first;
      // The pass's first page sets where it began; a pass that caught up ends (from then on every change is news).
      const fullFrom = hasMore ? (from.fullFrom === BEFORE_EVERYTHING ? horizon : from.fullFrom) : null;
      const changes = rows.flatMap((row) => changeOf(row, from, { ...from, xid: row.xid, id: row.id, fullFrom }, partnerId));
      const last = rows.at(-1);
      const cursor = encodeCursor(partnerId, last ? { ...from, xid: last.xid, id: last.id, fullFrom } : { ...from, fullFrom });
      await this.auditShown(ctx, changes, credentialIds, tx);
      return { access, changes, cursor, hasMore, reset: after !== undefined && !resumes };
    });
  }

  /** Patient data shown is audited: the partner, the credentials, which appointments and patients. */
  private async auditShown(ctx: RequestContext, changes: FeedChange[], credentialIds: string[], tx?: Tx): Promise<void> {
    const shown = changes.flatMap((change) => (change.kind === 'UPSERT' ? [change.appointment] : []));
    if (shown.length === 0) return;
    const entry = {
      action: 'partner-data.read', entityType: 'Partner', entityId: partnerOf(ctx).partnerId,
      details: { credentialIds, appointmentIds: shown.map((a) => a.id), patientIds: [...new Set(shown.map((a) => a.patient.id))] },
    };
    await (tx ? recordAudit(ctx, tx, entry) : ctx.transaction((own) => recordAudit(ctx, own, entry)));
  }

  /**
   * Replays from the cursor, then goes on live: woken by the tenant's agenda and feed events, and
   * looking anyway every second. Ends (after ACCESS_CLOSED) once access is closed, and when the
   * partner's credential stops being valid.
   */
  async *stream(ctx: RequestContext, after: string | undefined, pageSize = 200): AsyncGenerator<FeedEvent> {
    const partner = partnerOf(ctx);
    const first = await this.page(ctx, after, pageSize);
    if (first.access.state !== 'OPEN') throw forbidden(first.access.state === 'PENDING'
      ? `Data access begins at ${first.access.beginsAt!.toISOString()}` : 'Data access is closed');
    let wake: (() => void) | undefined;
    let woken = false;
    const poke = (payload: unknown) => {
      if ((payload as { tenantId?: string }).tenantId !== ctx.tenantId) return;
      woken = true;
      wake?.();
    };
    const unsubscribe = [this.bus.subscribe(AGENDA_TOPIC, poke), this.bus.subscribe(PARTNER_FEED_TOPIC, poke)];
    try {
      let page = first;
      for (;;) {
        if (page.reset) yield { kind: 'RESET', cursor: page.cursor! };
        for (const change of page.changes) yield change;
        if (!page.hasMore) {
          if (!woken) await new Promise<void>((resolve) => { wake = resolve; setTimeout(resolve, LOOK_ANYWAY_MS).unref(); });
          wake = undefined;
          woken = false;
          if (!(await this.authenticator.stillValid(partner))) return;
        }
        page = page.cursor ? await this.livePage(ctx, page.cursor, pageSize) : await this.page(ctx, undefined, pageSize);
        if (page.access.state !== 'OPEN') {
          yield { kind: 'ACCESS_CLOSED', cursor: null };
          return;
        }
      }
    } finally {
      for (const stop of unsubscribe) stop();
    }
  }
}

function partnerOf(ctx: RequestContext): PartnerAppPrincipal | PartnerUserPrincipal {
  const caller = ctx.caller;
  if (caller.kind !== 'PARTNER_APP' && caller.kind !== 'PARTNER_USER') throw forbidden('Only a partner user or app reads the partner feed');
  return caller;
}

/**
 * A changed row as the partner is told: hold it (shared now), or forget it. While a full pass runs,
 * a row last changed before it began cannot be held yet: nothing to forget.
 */
function changeOf(row: FeedRow, from: FeedPosition, at: FeedPosition, partnerId: string): FeedChange[] {
  const cursor = encodeCursor(partnerId, at);
  if (row.kind === 'APPOINTMENT' && row.removedBecause === null) {
    return [{
      kind: 'UPSERT', cursor,
      appointment: {
        id: row.id, start: row.startsAt!, end: row.endsAt!, status: row.status!, centreId: row.centreId!, serviceId: row.serviceId!,
        practitionerName: row.practitionerName,
        patient: { id: row.patientId!, familyName: row.familyName!, givenName: row.givenName!, patronymic: row.patronymic, phone: row.phone },
      },
    }];
  }
  if (from.fullFrom !== null && BigInt(row.xid) < BigInt(from.fullFrom)) return [];
  return [{ kind: 'REMOVE', entity: row.kind, id: row.id, patientId: row.kind === 'PATIENT' ? row.id : row.patientId, reason: row.removedBecause ?? 'GONE', cursor }];
}
