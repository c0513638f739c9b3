import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Authorized, Ctx, Extensions, Info, Mutation, Query, Resolver } from 'type-graphql';
import { FLAT_PAGE } from '../../schema/cost-hints';
import { agendaProjectionOf } from './agenda-selection';
import type { RequestContext } from '../../context/request-context';
import { AGENDA_WRITERS } from '../../services/common/access';
import type { Services } from '../../services';
import { AgendaPageArgs, IdArgs } from '../../schema/pagination';
import { Appointment, AppointmentConnection } from '../../schema/scheduling/appointment.types';
import { BookAppointmentResult, RescheduleAppointmentResult } from '../../schema/scheduling/booking.results';
import {
  AppointmentFilterInput, BookAppointmentInput, CancelAppointmentInput, ChangeAppointmentStatusInput, ConfirmAppointmentInput,
  RescheduleAppointmentInput,
} from '../../schema/scheduling/scheduling.inputs';
import { toAppointment, toBookingResult } from './scheduling.mappers';

@Resolver()
export class AppointmentsResolver {
  constructor(private readonly services: Services) {}

  @Authorized()
  @Query(() => Appointment)
  async appointment(@Ctx() ctx: RequestContext, @Args() { id }: IdArgs): Promise<Appointment> {
    return toAppointment(await this.services.appointments.appointment(ctx, id));
  }

  @Authorized()
  // The agenda: one statement reads the page with exactly the selected fields and relations.
  @Extensions({ [FLAT_PAGE]: true })
  @Query(() => AppointmentConnection, { description: 'Appointments ordered by start, filtered, cursor-paginated (pages of up to 1,000).' })
  async appointments(
    @Ctx() ctx: RequestContext,
    @Arg('filter', () => AppointmentFilterInput, { nullable: true }) filter: AppointmentFilterInput | undefined,
    @Args() page: AgendaPageArgs,
    @Info() info: GraphQLResolveInfo,
  ): Promise<AppointmentConnection> {
    const agenda = await this.services.appointments.agenda(ctx, filter ?? {}, page, agendaProjectionOf(info));
    return { nodes: agenda.nodes as unknown as Appointment[], pageInfo: { hasNextPage: agenda.hasNextPage, endCursor: agenda.endCursor } };
  }

  @Authorized(...AGENDA_WRITERS)
  @Mutation(() => BookAppointmentResult, { description: 'Books an appointment (SCHEDULER, ADMIN), of a slot or on your hold. Expected failures come back as typed results.' })
  async bookAppointment(@Ctx() ctx: RequestContext, @Arg('input') input: BookAppointmentInput): Promise<typeof BookAppointmentResult> {
    return toBookingResult(await this.services.booking.bookInput(ctx, input)) as typeof BookAppointmentResult;
  }

  @Authorized(...AGENDA_WRITERS)
  @Mutation(() => RescheduleAppointmentResult, { description: 'Moves an appointment; it keeps its identity and history.' })
  async rescheduleAppointment(@Ctx() ctx: RequestContext, @Arg('input') input: RescheduleAppointmentInput): Promise<typeof RescheduleAppointmentResult> {
    return toBookingResult(await this.services.lifecycle.reschedule(ctx, input)) as typeof RescheduleAppointmentResult;
  }

  @Authorized(...AGENDA_WRITERS)
  @Mutation(() => Appointment)
  async cancelAppointment(@Ctx() ctx: RequestContext, @Arg('input') input: CancelAppointmentInput): Promise<Appointment> {
    return toAppointment(await this.services.lifecycle.changeStatus(ctx, {
      appointmentId: input.appointmentId, status: 'CANCELLED', idempotencyKey: input.idempotencyKey,
      cancellation: { code: input.reasonCode, text: input.reasonText },
    }));
  }

  @Authorized(...AGENDA_WRITERS)
  @Mutation(() => Appointment)
  async confirmAppointment(@Ctx() ctx: RequestContext, @Arg('input') input: ConfirmAppointmentInput): Promise<Appointment> {
    return toAppointment(await this.services.lifecycle.changeStatus(ctx, { ...input, status: 'CONFIRMED' }));
  }

  @Authorized(...AGENDA_WRITERS)
  @Mutation(() => Appointment, { description: 'Any move the state machine allows; an illegal one is a CONFLICT.' })
  async changeAppointmentStatus(@Ctx() ctx: RequestContext, @Arg('input') input: ChangeAppointmentStatusInput): Promise<Appointment> {
    return toAppointment(await this.services.lifecycle.changeStatus(ctx, input));
  }
}
