import { Args, Authorized, Ctx, Root, Subscription, Resolver, type SubscribeResolverData } from 'type-graphql';
import { CentreIdArgs } from '../../schema/pagination';
import { skipValidation } from '../../schema/validate-argument';
import type { RequestContext } from '../../context/request-context';
import type { AgendaEvent } from '../../services/common/agenda-topic';
import type { Services } from '../../services';
import { AgendaChange } from '../../schema/scheduling/appointment.types';
import { AgendaChangeKindEnum } from '../../schema/scheduling/scheduling.enums';
import { servicesOf } from '../schema-services';
import { toAppointment } from './scheduling.mappers';

@Resolver()
export class AgendaResolver {
  constructor(private readonly services: Services) {}

  @Authorized()
  @Subscription(() => AgendaChange, {
    description: 'Changes to the agenda of a centre, pushed after commit. Ends when the token is revoked.',
    subscribe: ({ args, context, info }: SubscribeResolverData<unknown, { centreId: string }, RequestContext>) => servicesOf(info.schema).agenda.watch(context, args.centreId),
  })
  // The arguments were validated once, when subscribing (AgendaWatchService.watch); not again per event.
  async agendaChanged(@Root() event: AgendaEvent, @Ctx() ctx: RequestContext, @Args({ validateFn: skipValidation }) _args: CentreIdArgs): Promise<AgendaChange> {
    const appointment = await this.services.agenda.appointmentOf(ctx, event);
    return {
      kind: event.kind as AgendaChangeKindEnum, centreId: event.centreId,
      appointmentId: event.appointmentId ?? null, scheduleId: event.scheduleId ?? null,
      appointment: appointment ? toAppointment(appointment) : null,
      interval: event.start && event.end ? { start: event.start, end: event.end } : null,
      linkId: event.linkId ?? null,
    };
  }
}
