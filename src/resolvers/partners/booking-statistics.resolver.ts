import { Args, Authorized, Ctx, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../../context/request-context';
import type { Services } from '../../services';
import type { BookingStatistics as Statistics } from '../../services/partners/booking-statistics.model';
import { BookingStatisticsArgs } from '../../schema/partners/booking-statistics.inputs';
import { BookingStatistics } from '../../schema/partners/booking-statistics.types';
import type { AppointmentOriginEnum } from '../../schema/scheduling/scheduling.enums';

@Resolver()
export class BookingStatisticsResolver {
  constructor(private readonly services: Services) {}

  // Partner principals reach this staff-readable field on purpose: the service narrows them to their own partner.
  @Authorized('STAFF_USER', 'PARTNER_USER', 'PARTNER_APP')
  @Query(() => BookingStatistics, { description: 'Appointment counts grouped by origin, partner, centre, service, practitioner and period (any staff role; a partner user or app: its own partner only).' })
  async bookingStatistics(@Ctx() ctx: RequestContext, @Args() { filter, groupBy }: BookingStatisticsArgs): Promise<BookingStatistics> {
    return toBookingStatistics(await this.services.bookingStatistics.statistics(ctx, filter, groupBy));
  }
}

/** The service's origin codes are the enum's values. */
const toBookingStatistics = (statistics: Statistics): BookingStatistics => ({
  total: statistics.total,
  groups: statistics.groups.map(({ key, counts }) => ({ key: { ...key, origin: key.origin as AppointmentOriginEnum | null }, counts })),
});
