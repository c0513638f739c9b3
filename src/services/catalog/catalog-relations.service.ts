import type { RequestContext } from '../../context/request-context';
import {
  centreLoader, exceptionsOfScheduleLoader, openingHoursOfScheduleLoader, practitionerLoader, scheduleLoader,
  schedulesOfCentreLoader, servicesOfScheduleLoader,
} from './catalog.loaders';
import type {
  CentreRow, OfferedServiceRow, OpeningHoursRow, PractitionerRow, ScheduleExceptionRow, ScheduleRow,
} from './catalog.model';

/**
 * What hangs off a centre or a schedule, batched per request: one statement per relation however
 * long the list. No role check here: whoever holds the parent row was already allowed to read it,
 * and the loaders keep every batch inside the caller's tenant.
 */
export class CatalogRelations {
  async schedulesOf(ctx: RequestContext, centreId: string): Promise<ScheduleRow[]> {
    const schedules = await schedulesOfCentreLoader(ctx).load(centreId);
    for (const schedule of schedules) scheduleLoader(ctx).prime(schedule.id, schedule);
    return schedules;
  }

  async centreOf(ctx: RequestContext, schedule: { centreId: string }): Promise<CentreRow> {
    const centre = await centreLoader(ctx).load(schedule.centreId);
    // The foreign key guarantees the centre; missing means it was deleted while this request ran.
    if (!centre) throw new Error('schedule without its centre');
    return centre;
  }

  async practitionerOf(ctx: RequestContext, schedule: { practitionerId: string | null }): Promise<PractitionerRow | undefined> {
    return schedule.practitionerId ? practitionerLoader(ctx).load(schedule.practitionerId) : undefined;
  }

  servicesOf(ctx: RequestContext, scheduleId: string): Promise<OfferedServiceRow[]> {
    return servicesOfScheduleLoader(ctx).load(scheduleId);
  }

  openingHoursOf(ctx: RequestContext, scheduleId: string): Promise<OpeningHoursRow[]> {
    return openingHoursOfScheduleLoader(ctx).load(scheduleId);
  }

  exceptionsOf(ctx: RequestContext, scheduleId: string): Promise<ScheduleExceptionRow[]> {
    return exceptionsOfScheduleLoader(ctx).load(scheduleId);
  }
}
