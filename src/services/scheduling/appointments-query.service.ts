import type { RequestContext } from '../../context/request-context';
import { notFound } from '../../platform/errors';
import { STAFF_READERS, requireStaffRole } from '../common/access';
import { actingPartnerOf } from '../common/acting-partner';
import { decodeInstantCursor, toPage, type Page, type PageRequest } from '../common/pagination';
import type { AppointmentChangeRow, AppointmentFilter, AppointmentRow } from './appointment.model';
import { appointmentChangesLoader, appointmentLoader } from './appointment-loaders';
import { appointmentsRepository } from './appointments.sql';
import { queryAgenda } from './agenda.sql';
import type { AgendaNode, AgendaProjection } from './agenda-projection';
import { scheduleLoader, serviceLoader } from '../catalog/catalog.loaders';
import type { MedicalServiceRow, ScheduleRow } from '../catalog/catalog.model';

function required<T>(row: T | undefined, what: string): T {
  // Foreign keys guarantee the row; missing means it was deleted while this request ran.
  if (!row) throw new Error(`appointment without its ${what}`);
  return row;
}

export class AppointmentsQueryService {
  async appointment(ctx: RequestContext, id: string): Promise<AppointmentRow> {
    requireStaffRole(ctx, STAFF_READERS);
    const appointment = await appointmentLoader(ctx).load(id);
    if (!appointment) throw notFound('Appointment');
    return appointment;
  }

  /**
   * The agenda as the request selects it: one statement reads exactly the selected fields of the
   * appointments and of their schedule, practitioner, patient and service, already shaped as the answer.
   */
  async agenda(ctx: RequestContext, filter: AppointmentFilter, page: PageRequest, projection: AgendaProjection): Promise<Page<AgendaNode>> {
    requireStaffRole(ctx, STAFF_READERS);
    const after = keysetAfter(page);
    const nodes = await ctx.singleStatement((tx) => queryAgenda(tx, filter, { limit: page.first + 1, after }, projection));
    return toPage(nodes, page.first, (node) => [node.cursorAt, node.cursorId]);
  }

  /**
   * A partner's own bookings (seed 001), for whoever may act for it: a partner user or app sees
   * these and nothing else of the agenda. Another partner's booking is NOT_FOUND.
   */
  async partnerBooking(ctx: RequestContext, partnerId: string | undefined, id: string): Promise<AppointmentRow> {
    const acting = actingPartnerOf(ctx.caller, partnerId);
    const appointment = await appointmentLoader(ctx).load(id);
    if (!appointment || appointment.partnerId !== acting.partnerId) throw notFound('Appointment');
    return appointment;
  }

  async partnerBookings(ctx: RequestContext, partnerId: string | undefined, filter: AppointmentFilter, page: PageRequest): Promise<Page<AppointmentRow>> {
    const acting = actingPartnerOf(ctx.caller, partnerId);
    return this.list(ctx, { ...filter, partnerIds: [acting.partnerId] }, page);
  }

  private async list(ctx: RequestContext, filter: AppointmentFilter, page: PageRequest): Promise<Page<AppointmentRow>> {
    const after = keysetAfter(page);
    const rows = await ctx.singleStatement((tx) => appointmentsRepository.list(tx, filter, { limit: page.first + 1, after }));
    const appointments = appointmentLoader(ctx);
    const schedules = scheduleLoader(ctx);
    for (const { schedule, ...row } of rows) {
      appointments.prime(row.id, row);
      schedules.prime(schedule.id, schedule);
    }
    return toPage(rows.map(({ schedule: _schedule, ...row }) => row), page.first, (row) => [row.startsAt.toISOString(), row.id]);
  }

  /** The schedule and service an appointment belongs to: batched per request, and always there (foreign keys). */
  async scheduleOf(ctx: RequestContext, appointment: { scheduleId: string }): Promise<ScheduleRow> {
    return required(await scheduleLoader(ctx).load(appointment.scheduleId), 'schedule');
  }

  async serviceOf(ctx: RequestContext, appointment: { serviceId: string }): Promise<MedicalServiceRow> {
    return required(await serviceLoader(ctx).load(appointment.serviceId), 'service');
  }

  async history(ctx: RequestContext, appointmentId: string): Promise<AppointmentChangeRow[]> {
    requireStaffRole(ctx, STAFF_READERS);
    return appointmentChangesLoader(ctx).load(appointmentId);
  }
}

/** The (start, id) a page of appointments continues after, from its cursor. */
function keysetAfter(page: PageRequest): [string, string] | undefined {
  const key = page.after ? decodeInstantCursor(page.after, 'after') : undefined;
  return key && [key.at.toISOString(), key.id];
}
