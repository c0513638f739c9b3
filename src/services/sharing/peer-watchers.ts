import type { TenantDatabase } from '../../db/tenant-database';
import { RequestContext } from '../../context/request-context';
import type { EventBus } from '../../events/event-bus';
import type { PeerFailure, PeerWatch } from '../../federation/peer-client';
import type { PeerConnector } from './peer-connector';
import type { PeerOccupancyEvent, PeerTwin } from '../../federation/peer-protocol';
import type { Logger } from '../../platform/logger';
import { AGENDA_TOPIC, type AgendaEvent } from '../common/agenda-topic';
import type { AppointmentLifecycleService } from '../scheduling/appointment-lifecycle.service';
import type { LinkHealth } from './link-health';
import { linksRepository } from './links.sql';
import { LINKS_CHANGED_TOPIC, type LinkChange } from './links.service';
import { sharedSchedulesRepository, type LinkWithMirrors } from './shared-schedules.sql';

/** How far back a reconciliation after a gap looks: a twin that started earlier is history. */
const RECONCILE_FROM_MS = 24 * 3600_000;

export interface PeerWatchersDeps {
  database: TenantDatabase;
  connector: PeerConnector;
  bus: EventBus;
  lifecycle: AppointmentLifecycleService;
  health: LinkHealth;
  logger: Logger;
  /**
   * How long a twin the sharing server announces may stay unrecorded here before it counts as
   * someone else's: the client writes its record once the sharing server's answer is back, and the
   * event can overtake that answer (the peer call's deadline).
   */
  recordWaitMs: number;
}

/**
 * Every instance keeps one live watch per link to its sharing server, for its own subscribers.
 * - Exactly one event per change: the sharing centre's own appointments become occupancy events
 *   here; changes to the client's own twins (its bookings, cancellations, moves) are announced by
 *   the client's record when it changes, so their echo from the sharing server is not repeated.
 * - Nothing stays unseen after a gap: on every (re)connection each shared schedule gets a RESYNC
 *   event (re-read it), and the client's records are reconciled with the twins the sharing server
 *   holds (cancellations and moves made meanwhile are followed).
 * - The watch's state is the link's health: connected is OK, a drop UNREACHABLE, an end REVOKED.
 */
export class PeerWatchers {
  private readonly watches = new Map<string, PeerWatch>();
  private closed = false;
  private readonly unsubscribe: () => void;

  constructor(private readonly deps: PeerWatchersDeps) {
    this.unsubscribe = deps.bus.subscribe(LINKS_CHANGED_TOPIC, (payload) => {
      const change = payload as LinkChange;
      if (change.removed) this.unwatch(change.linkId);
      else this.watch(change.tenantId, change.linkId);
    });
  }

  async start(): Promise<void> {
    for (const { tenantId, linkId } of await linksRepository.registry(this.deps.database)) this.watch(tenantId, linkId);
  }

  watch(tenantId: string, linkId: string): void {
    if (this.closed || this.watches.has(linkId)) return;
    this.watches.set(linkId, { close: () => undefined });
    void this.deps.database.transaction(tenantId, (tx) => sharedSchedulesRepository.linksWithMirrors(tx, [linkId])).then(([link]) => {
      if (!link || this.closed || !this.watches.has(linkId)) return;
      const failed = (error: unknown, what: string) => this.deps.logger.warn({ linkId, err: String(error) }, what);
      const watch = this.deps.connector.forLink(link).watch({
        event: (event) => void this.onEvent(tenantId, link, event).catch((error: unknown) => failed(error, 'peer event failed')),
        connected: () => void this.onConnected(tenantId, link).catch((error: unknown) => failed(error, 'peer resync failed')),
        lost: (failure) => void this.deps.health.report(tenantId, link, { ok: false, failure }),
        ended: (failure) => this.onEnded(tenantId, link, failure),
      });
      this.watches.set(linkId, watch);
    }, (error: unknown) => {
      this.watches.delete(linkId);
      this.deps.logger.warn({ linkId, err: String(error) }, 'could not watch link');
    });
  }

  unwatch(linkId: string): void {
    this.watches.get(linkId)?.close();
    this.watches.delete(linkId);
    this.deps.health.forget(linkId);
  }

  close(): void {
    this.closed = true;
    this.unsubscribe();
    for (const watch of this.watches.values()) watch.close();
    this.watches.clear();
  }

  private async onConnected(tenantId: string, link: LinkWithMirrors): Promise<void> {
    await this.deps.health.report(tenantId, link, { ok: true });
    for (const scheduleId of Object.keys(link.schedules)) this.publish({ tenantId, centreId: link.centreId, scheduleId, linkId: link.id, kind: 'RESYNC' });
    await this.reconcile(tenantId, link);
  }

  private onEnded(tenantId: string, link: LinkWithMirrors, failure: PeerFailure): void {
    this.watches.delete(link.id);
    this.deps.logger.warn({ linkId: link.id, failure }, 'peer subscription ended');
    void this.deps.health.report(tenantId, link, { ok: false, failure });
  }

  private async onEvent(tenantId: string, link: LinkWithMirrors, event: PeerOccupancyEvent & { scheduleId: string }): Promise<void> {
    const scheduleId = Object.entries(link.schedules).find(([, remoteId]) => remoteId === event.scheduleId)?.[0];
    if (!scheduleId || event.kind === 'LIVE') return;
    if (event.clientReference && (await this.ownerOf(tenantId, link, event.clientReference)) === 'THIS_LINK') {
      // One of this link's own twins: its record here follows, and announces the change itself.
      if (event.kind === 'CANCELLED') await this.followCancellation(tenantId, link, event.clientReference);
      else if (event.kind === 'CHANGED') await this.followTwin(tenantId, link, event.clientReference);
      return;
    }
    this.publish({ tenantId, centreId: link.centreId, scheduleId, kind: event.kind, start: event.start ?? undefined, end: event.end ?? undefined });
  }

  /**
   * Whose twin a client reference names: this link's (its record here announces the change), or
   * another's (another link of the same tenant to the same share: occupancy for this centre). A
   * reference not recorded yet is a booking whose answer is still on its way back: it is asked
   * again, with growing pauses, until it is recorded or the peer call's deadline has passed.
   */
  private async ownerOf(tenantId: string, link: LinkWithMirrors, appointmentId: string): Promise<'THIS_LINK' | 'ANOTHER'> {
    const deadline = Date.now() + this.deps.recordWaitMs;
    for (let pause = 20; ; pause = Math.min(pause * 2, 500)) {
      const linkId = await this.deps.database.transaction(tenantId, (tx) => sharedSchedulesRepository.linkOfRecord(tx, appointmentId));
      if (linkId !== undefined) return linkId === link.id ? 'THIS_LINK' : 'ANOTHER';
      if (this.closed || Date.now() >= deadline) return 'ANOTHER';
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }

  /** A twin changed at the sharing centre (moved, or its status): the record takes its time, as the sharing server holds it. */
  private async followTwin(tenantId: string, link: LinkWithMirrors, appointmentId: string): Promise<void> {
    const [twin] = await this.deps.connector.forLink(link).twins(new Date(Date.now() - RECONCILE_FROM_MS), appointmentId);
    if (twin && twin.status !== 'CANCELLED') await this.followMove(tenantId, link, appointmentId, twin.start, twin.end);
  }

  /** The client's records of this link's twins, brought in line with what the sharing server holds. */
  private async reconcile(tenantId: string, link: LinkWithMirrors): Promise<void> {
    const from = new Date(Date.now() - RECONCILE_FROM_MS);
    const twins = await this.deps.connector.forLink(link).twins(from);
    const records = await this.deps.database.transaction(tenantId, (tx) => sharedSchedulesRepository.twinRecordsFrom(tx, link.id, from));
    const twinOf = new Map<string, PeerTwin>(twins.map((twin) => [twin.clientReference, twin]));
    for (const record of records) {
      const twin = twinOf.get(record.id);
      if (!twin || record.status === 'CANCELLED') continue;
      if (twin.status === 'CANCELLED') await this.followCancellation(tenantId, link, record.id);
      else if (twin.start !== record.start || twin.end !== record.end) await this.followMove(tenantId, link, record.id, twin.start, twin.end);
    }
  }

  /** The sharing centre cancelled a twin: the client's record follows (without queuing a cancellation back). */
  private async followCancellation(tenantId: string, link: LinkWithMirrors, appointmentId: string): Promise<void> {
    await this.deps.lifecycle.changeStatusAuthorized(this.peerContext(tenantId, link), {
      appointmentId, status: 'CANCELLED', idempotencyKey: `peer-cancel:${appointmentId}`,
      cancellation: { code: 'CANCELLED_BY_SHARING_CENTRE', text: link.remoteCentreName }, origin: 'PEER',
    }).catch(() => undefined); // already cancelled here, or no such record: nothing to follow
  }

  /** The sharing centre moved a twin: the client's record moves with it. */
  private async followMove(tenantId: string, link: LinkWithMirrors, appointmentId: string, start: string, end: string): Promise<void> {
    await this.deps.lifecycle.applyConfirmedMove(this.peerContext(tenantId, link), { appointmentId, start: new Date(start), end: new Date(end) })
      .catch((error: unknown) => this.deps.logger.warn({ linkId: link.id, appointmentId, err: String(error) }, 'could not follow a move of the sharing centre'));
  }

  private peerContext(tenantId: string, link: LinkWithMirrors): RequestContext {
    return new RequestContext(this.deps.database, { kind: 'PEER_SERVER', tenantId, credentialId: link.id, shareId: link.remoteShareId }, this.deps.logger);
  }

  /** To this instance's subscribers only: every instance watches for its own. */
  private publish(event: AgendaEvent): void {
    this.deps.bus.publishLocal(AGENDA_TOPIC, event);
  }
}
