import { BookingStatisticsResolver } from './booking-statistics.resolver';

export const PARTNER_RESOLVERS = [BookingStatisticsResolver] as const;
