import { Ctx, Extensions, FieldResolver, Resolver, Root } from 'type-graphql';
import { SERVED_BY_PAGE } from '../../schema/cost-hints';
import type { RequestContext } from '../../context/request-context';
import type { Services } from '../../services';
import { Appointment, AppointmentChange } from '../../schema/scheduling/appointment.types';
import { Patient } from '../../schema/scheduling/patient.types';
import { Schedule, Service } from '../../schema/catalog/catalog.types';
import { toSchedule, toService } from '../catalog/catalog.mappers';
import { toAppointmentChange, toPatient } from './scheduling.mappers';

/** Nested fields of Appointment, each through a per-request DataLoader (no query per parent). */
@Resolver(() => Appointment)
export class AppointmentFieldsResolver {
  constructor(private readonly services: Services) {}

  // schedule, service and patient: answered from the row when the agenda's read embedded them (build-schema.ts); otherwise loaded.
  @Extensions({ [SERVED_BY_PAGE]: true })
  @FieldResolver(() => Schedule)
  async schedule(@Root() appointment: Appointment, @Ctx() ctx: RequestContext): Promise<Schedule> {
    return toSchedule(await this.services.appointments.scheduleOf(ctx, appointment));
  }

  @Extensions({ [SERVED_BY_PAGE]: true })
  @FieldResolver(() => Service)
  async service(@Root() appointment: Appointment, @Ctx() ctx: RequestContext): Promise<Service> {
    return toService(await this.services.appointments.serviceOf(ctx, appointment));
  }

  @Extensions({ [SERVED_BY_PAGE]: true })
  @FieldResolver(() => Patient, { nullable: true })
  async patient(@Root() appointment: Appointment, @Ctx() ctx: RequestContext): Promise<Patient | null> {
    if (!appointment.patientId) return null;
    return toPatient(await this.services.patients.patient(ctx, appointment.patientId));
  }

  @FieldResolver(() => [AppointmentChange], { description: 'Who did what and when, oldest first.' })
  async history(@Root() appointment: Appointment, @Ctx() ctx: RequestContext): Promise<AppointmentChange[]> {
    return (await this.services.appointments.history(ctx, appointment.id)).map(toAppointmentChange);
  }
}
