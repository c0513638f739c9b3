import type { RequestContext } from '../../context/request-context';
import type { EventBus } from '../../events/event-bus';
import { streamTopic } from '../../events/event-stream';
import { notFound } from '../../platform/errors';
import { STAFF_READERS, requireStaffRole } from '../access';
import type { Authenticator } from '../identity/authenticator';
import { AGENDA_TOPIC, type AgendaEvent } from '../agenda-events';
import type { AppointmentRow } from './appointment.model';
import { appointmentLoader } from './appointment-loaders';

/** Live agendas: events of one centre, re-authorised before each delivery and re-read under the subscriber's rights. */
export class AgendaWatchService {
  constructor(private readonly bus: EventBus, private readonly authenticator: Authenticator) {}

  async watch(ctx: RequestContext, centreId: string): Promise<AsyncIterableIterator<AgendaEvent>> {
    requireStaffRole(ctx, STAFF_READERS);
    const [centre] = await ctx.transaction((tx) => tx.query('SELECT 1 FROM centres WHERE tenant_id = $1 AND id = $2', [tx.tenantId, centreId]));
    if (!centre) throw notFound('Centre');
    const principal = ctx.caller;
    return streamTopic<AgendaEvent>(this.bus, AGENDA_TOPIC, async (event) => {
      if (event.tenantId !== principal.tenantId || event.centreId !== centreId) return false;
      return (await this.authenticator.stillValid(principal)) ? true : 'end';
    });
  }

  /** The appointment of an event as this subscriber may see it now: a fresh context, so no stale cache. */
  async appointmentOf(ctx: RequestContext, event: AgendaEvent): Promise<AppointmentRow | undefined> {
    if (!event.appointmentId) return undefined;
    return appointmentLoader(ctx.fork()).load(event.appointmentId);
  }
}
