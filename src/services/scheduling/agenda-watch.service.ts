import type { RequestContext } from '../../context/request-context';
import type { EventBus } from '../../events/event-bus';
import { streamTopic } from '../../events/event-stream';
import { badInput, notFound } from '../../platform/errors';
import { isUuid } from '../../platform/ids';
import { STAFF_READERS, requireStaffRole } from '../common/access';
import { centresRepository } from '../catalog/centres.sql';
import type { Authenticator } from '../../context/authenticator';
import { audienceKey } from '../../context/audience';
import { revocationOf } from '../identity/revocation';
import { AGENDA_TOPIC, type AgendaEvent } from '../common/agenda-topic';
import type { AppointmentRow } from './appointment.model';
import { appointmentsRepository } from './appointments.sql';

/** Live agendas: events of one centre, re-authorised before each delivery and re-read under the subscriber's rights. */
export class AgendaWatchService {
  /** Re-reads per delivered event object (every local subscriber receives the same one); gone with the event. */
  private readonly reads = new WeakMap<AgendaEvent, Map<string, Promise<AppointmentRow | undefined>>>();

  constructor(private readonly bus: EventBus, private readonly authenticator: Authenticator) {}

  async watch(ctx: RequestContext, centreId: string): Promise<AsyncIterableIterator<AgendaEvent>> {
    requireStaffRole(ctx, STAFF_READERS);
    // Subscription arguments reach `subscribe` unvalidated by the schema layer.
    if (!isUuid(centreId)) throw badInput([{ field: 'centreId', problems: ['must be an id returned by this API'] }]);
    if (!(await ctx.singleStatement((tx) => centresRepository.exists(tx, centreId)))) throw notFound('Centre');
    const principal = ctx.caller;
    return streamTopic<AgendaEvent>(this.bus, AGENDA_TOPIC, (event) => {
      if (event.tenantId !== principal.tenantId || event.centreId !== centreId) return false;
      if (this.authenticator.knownValid(principal)) return true;
      return this.authenticator.stillValid(principal).then((valid) => valid || 'end');
    }, revocationOf(principal));
  }

  /**
   * The appointment of an event as this subscriber may see it now: read with a fresh context (no
   * stale cache), once per event for each audience (the key fan-out groups by too) — so an event
   * fanned out to thousands of subscribers costs one read per audience, not one per subscriber.
   */
  async appointmentOf(ctx: RequestContext, event: AgendaEvent): Promise<AppointmentRow | undefined> {
    if (!event.appointmentId) return undefined;
    const appointmentId = event.appointmentId;
    const reads = this.reads.get(event) ?? new Map<string, Promise<AppointmentRow | undefined>>();
    this.reads.set(event, reads);
    const audience = audienceKey(ctx.caller);
    let read = reads.get(audience);
    if (!read) {
      // Not through a DataLoader: its batch waits for the whole microtask queue to drain, which
      // holds every other subscriber of the event, so the one read would start last.
      read = ctx.fork().transaction((tx) => appointmentsRepository.findByIds(tx, [appointmentId])).then(([row]) => row);
      reads.set(audience, read);
    }
    return read;
  }
}
