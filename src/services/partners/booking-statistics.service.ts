import { ownPartnerOf } from '../../context/principal';
import { mayActForPartners } from '../common/acting-partner';
import type { RequestContext } from '../../context/request-context';
import { badInput, forbidden } from '../../platform/errors';
import { STAFF_READERS, requireStaffRole } from '../common/access';
import {
  PERIOD_DIMENSIONS, type BookingStatistics, type BookingStatisticsFilter, type BookingStatisticsKey, type StatisticsDimension,
} from './booking-statistics.model';
import { countBookings } from './booking-statistics.sql';

/** A year, leap day included: long enough for yearly figures, short enough to stay one index range read. */
const MAX_PERIOD_DAYS = 366;
const DAY_MS = 86_400_000;

const NO_KEY: BookingStatisticsKey = { origin: null, partnerId: null, centreId: null, serviceId: null, practitionerId: null, period: null };

/**
 * Booking statistics by origin, partner, centre, service, practitioner and period (seed 001:
 * partner bookings carry their partner, so they can be counted apart). Staff read every figure of
 * their tenant; a partner user or partner app reads its own partner's only.
 */
export class BookingStatisticsService {
  async statistics(ctx: RequestContext, filter: BookingStatisticsFilter, groupBy: readonly StatisticsDimension[]): Promise<BookingStatistics> {
    // Who may read comes before what is wrong with the input: a caller who may not act learns nothing of its rules.
    const partnerIds = partnersVisibleTo(ctx, filter.partnerIds ?? undefined);
    checkPeriod(filter);
    checkGrouping(groupBy);
    const { groups, total } = await ctx.singleStatement((tx) => countBookings(tx, { ...filter, partnerIds }, groupBy));
    // Grouped by nothing, the one group is everything.
    return { groups: groupBy.length === 0 ? [{ key: NO_KEY, counts: total }] : groups, total };
  }
}

/**
 * The partners whose bookings the caller may count: staff any (as named, or all); a partner user
 * (with PARTNER_BOOKING) or a partner app its own only, whether it names it or not. Naming another
 * partner is FORBIDDEN rather than an empty answer: the caller asked for what it may not see.
 */
function partnersVisibleTo(ctx: RequestContext, named: readonly string[] | undefined): readonly string[] | undefined {
  const own = ownPartnerOf(ctx.caller);
  if (own === undefined) {
    requireStaffRole(ctx, STAFF_READERS);
    return named;
  }
  if (!mayActForPartners(ctx.caller)) throw forbidden('Booking statistics for a partner require the PARTNER_BOOKING permission');
  if (named?.some((partnerId) => partnerId !== own)) throw forbidden('A partner user or app reads its own partner\'s statistics only');
  // An empty list names no partner: it still counts nothing, as it does for staff.
  return named ?? [own];
}

function checkPeriod({ from, to }: BookingStatisticsFilter): void {
  const problems: string[] = [];
  if (to.getTime() <= from.getTime()) problems.push('must be after from');
  else if (to.getTime() - from.getTime() > MAX_PERIOD_DAYS * DAY_MS) problems.push(`must be at most ${MAX_PERIOD_DAYS} days after from`);
  if (problems.length > 0) throw badInput([{ field: 'filter.to', problems }]);
}

/** A group's key holds one period, so DAY, WEEK and MONTH exclude each other (a week straddles months). */
function checkGrouping(groupBy: readonly StatisticsDimension[]): void {
  if (groupBy.filter((dimension) => PERIOD_DIMENSIONS.includes(dimension)).length > 1) {
    throw badInput([{ field: 'groupBy', problems: ['may name at most one of DAY, WEEK and MONTH'] }]);
  }
}
