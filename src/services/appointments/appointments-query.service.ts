import type { RequestContext } from '../../context/request-context';
import { notFound } from '../../platform/errors';
import { STAFF_READERS, requireStaffRole } from '../access';
import { decodeCursor, toPage, type Page, type PageRequest } from '../pagination';
import type { AppointmentChangeRow, AppointmentFilter, AppointmentRow } from './appointment.model';
import { appointmentChangesLoader, appointmentLoader } from './appointment-loaders';
import { appointmentsRepository } from './appointments.repository';

export class AppointmentsQueryService {
  async appointment(ctx: RequestContext, id: string): Promise<AppointmentRow> {
    requireStaffRole(ctx, STAFF_READERS);
    const appointment = await appointmentLoader(ctx).load(id);
    if (!appointment) throw notFound('Appointment');
    return appointment;
  }

  async appointments(ctx: RequestContext, filter: AppointmentFilter, page: PageRequest): Promise<Page<AppointmentRow>> {
    requireStaffRole(ctx, STAFF_READERS);
    const after = page.after ? decodeCursor(page.after, 'after') : undefined;
    const rows = await ctx.transaction((tx) => appointmentsRepository.list(tx, filter, { limit: page.first + 1, after }));
    const loader = appointmentLoader(ctx);
    for (const row of rows) loader.prime(row.id, row);
    return toPage(rows, page.first, (row) => [row.startsAt.toISOString(), row.id]);
  }

  async history(ctx: RequestContext, appointmentId: string): Promise<AppointmentChangeRow[]> {
    requireStaffRole(ctx, STAFF_READERS);
    return appointmentChangesLoader(ctx).load(appointmentId);
  }
}
