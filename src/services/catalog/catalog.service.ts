import type { RequestContext } from '../../context/request-context';
import type { EventBus } from '../../events/event-bus';
import { CatalogRelations } from './catalog-relations.service';
import type { CentreRow, ScheduleRow } from './catalog.model';
import { CentresService } from './centres.service';
import { MedicalServicesService } from './medical-services.service';
import { PractitionersService } from './practitioners.service';
import { ScheduleHoursService } from './schedule-hours.service';
import { SchedulesService } from './schedules.service';

/** Centres, practitioners, services (examinations), schedules, opening hours and exceptions. */
export class CatalogService {
  readonly centres = new CentresService(this.bus);
  readonly practitioners = new PractitionersService(this.bus);
  readonly medicalServices = new MedicalServicesService();
  readonly schedules = new SchedulesService(this.bus);
  readonly scheduleHours = new ScheduleHoursService(this.bus);
  readonly relations = new CatalogRelations();

  constructor(private readonly bus: EventBus) {}

  /** The centre in the caller's tenant, or NOT_FOUND. Checks no role: the calling service decides who may ask. */
  getCentre(ctx: RequestContext, id: string): Promise<CentreRow> {
    return this.centres.get(ctx, id);
  }

  /** The schedule in the caller's tenant, or NOT_FOUND. Checks no role: the calling service decides who may ask. */
  getSchedule(ctx: RequestContext, id: string): Promise<ScheduleRow> {
    return this.schedules.get(ctx, id);
  }
}
