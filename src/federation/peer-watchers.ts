import type { DataSource } from 'typeorm';
import { RequestContext } from '../context/request-context';
import { inTenantTransaction } from '../db/unit-of-work';
import type { EventBus } from '../events/event-bus';
import type { Logger } from '../platform/logger';
import { AGENDA_TOPIC, type AgendaEvent } from '../services/agenda-events';
import type { AppointmentLifecycleService } from '../services/appointments/appointment-lifecycle.service';
import { linksRepository } from '../services/sharing/links.repository';
import { LINKS_CHANGED_TOPIC, type LinkChange } from '../services/sharing/links.service';
import { sharedSchedulesRepository, type LinkWithMirrors } from '../services/sharing/shared-schedules.repository';
import type { PeerWatch } from './peer-client';
import type { PeerConnector } from './peer-connector';
import type { PeerOccupancyEvent } from './peer-protocol';

/**
 * Every instance keeps one graphql-ws subscription per live link to its sharing server. Occupancy
 * changes become agenda events for this instance's own subscribers (each instance watches for
 * itself, so nothing is delivered twice); a twin cancelled at the sharing centre cancels the
 * client's record too.
 */
export class PeerWatchers {
  private readonly watches = new Map<string, PeerWatch>();
  private closed = false;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly deps: { dataSource: DataSource; connector: PeerConnector; bus: EventBus; lifecycle: AppointmentLifecycleService; logger: Logger },
  ) {
    this.unsubscribe = deps.bus.subscribe(LINKS_CHANGED_TOPIC, (payload) => {
      const change = payload as LinkChange;
      if (change.removed) this.unwatch(change.linkId);
      else this.watch(change.tenantId, change.linkId);
    });
  }

  async start(): Promise<void> {
    for (const { tenantId, linkId } of await linksRepository.registry(this.deps.dataSource)) this.watch(tenantId, linkId);
  }

  watch(tenantId: string, linkId: string): void {
    if (this.closed || this.watches.has(linkId)) return;
    this.watches.set(linkId, { close: () => undefined });
    void inTenantTransaction(this.deps.dataSource, tenantId, (tx) => sharedSchedulesRepository.linksWithMirrors(tx, [linkId])).then(([link]) => {
      if (!link || this.closed || !this.watches.has(linkId)) return;
      const watch = this.deps.connector.forLink(link).watch(
        (event) => void this.onEvent(tenantId, link, event).catch((error: unknown) => this.deps.logger.warn({ linkId, err: String(error) }, 'peer event failed')),
        (failure) => {
          this.watches.delete(linkId);
          this.deps.logger.warn({ linkId, failure }, 'peer subscription ended');
        },
      );
      this.watches.set(linkId, watch);
    }, (error: unknown) => {
      this.watches.delete(linkId);
      this.deps.logger.warn({ linkId, err: String(error) }, 'could not watch link');
    });
  }

  unwatch(linkId: string): void {
    this.watches.get(linkId)?.close();
    this.watches.delete(linkId);
  }

  close(): void {
    this.closed = true;
    this.unsubscribe();
    for (const watch of this.watches.values()) watch.close();
    this.watches.clear();
  }

  private async onEvent(tenantId: string, link: LinkWithMirrors, event: PeerOccupancyEvent): Promise<void> {
    const mirrorScheduleId = Object.entries(link.schedules).find(([, remoteId]) => remoteId === event.scheduleId)?.[0];
    if (!mirrorScheduleId) return;
    if (event.kind === 'CANCELLED' && event.clientReference) await this.followCancellation(tenantId, link, event.clientReference);
    const local: AgendaEvent = {
      tenantId, centreId: link.centreId, scheduleId: mirrorScheduleId, kind: event.kind,
      appointmentId: event.clientReference ?? undefined,
    };
    this.deps.bus.publishLocal(AGENDA_TOPIC, local);
  }

  /** The sharing centre cancelled a twin: the client's record follows (without queuing a cancellation back). */
  private async followCancellation(tenantId: string, link: LinkWithMirrors, appointmentId: string): Promise<void> {
    const ctx = new RequestContext(this.deps.dataSource, { kind: 'PEER_SERVER', tenantId, credentialId: link.id, shareId: link.remoteShareId }, this.deps.logger);
    await this.deps.lifecycle.changeStatusAuthorized(ctx, {
      appointmentId, status: 'CANCELLED', idempotencyKey: `peer-cancel:${appointmentId}`,
      cancellation: { code: 'CANCELLED_BY_SHARING_CENTRE', text: link.remoteCentreName }, origin: 'PEER',
    }).catch(() => undefined); // already cancelled here, or no such record: nothing to follow
  }
}
