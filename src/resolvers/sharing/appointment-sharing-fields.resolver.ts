import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../context/request-context';
import type { Services } from '../../services';
import { Appointment } from '../../schema/scheduling/appointment.types';

/** How the sharing centre sees appointments a client centre booked through a share. */
@Resolver(() => Appointment)
export class AppointmentSharingFieldsResolver {
  constructor(private readonly services: Services) {}

  @FieldResolver(() => String, { nullable: true, description: 'The client centre that booked this appointment through a share.' })
  async clientCentreName(@Root() appointment: Appointment, @Ctx() ctx: RequestContext): Promise<string | null> {
    return this.services.shares.clientCentreNameOf(ctx, appointment);
  }

  @FieldResolver(() => String, { nullable: true, description: '"*" for appointments a client centre booked through a share; null otherwise.' })
  displayMarker(@Root() appointment: Appointment): string | null {
    return this.services.shares.displayMarkerOf(appointment);
  }
}
