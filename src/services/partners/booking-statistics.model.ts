import type { AppointmentOrigin, AppointmentStatus } from '../../entities';

/** What booking statistics can be grouped by; each maps to one fixed SQL expression (booking-statistics.sql.ts). */
export const STATISTICS_DIMENSIONS = ['ORIGIN', 'PARTNER', 'CENTRE', 'SERVICE', 'PRACTITIONER', 'DAY', 'WEEK', 'MONTH'] as const;
export type StatisticsDimension = (typeof STATISTICS_DIMENSIONS)[number];

/** The calendar dimensions: a group's key has one `period`, so a grouping names at most one of them. */
export const PERIOD_DIMENSIONS: readonly StatisticsDimension[] = ['DAY', 'WEEK', 'MONTH'];

/**
 * Which appointments are counted: those starting in [from, to). A list left out filters nothing;
 * an empty list matches nothing.
 */
export interface BookingStatisticsFilter {
  from: Date;
  to: Date;
  centreIds?: readonly string[] | null;
  serviceIds?: readonly string[] | null;
  practitionerIds?: readonly string[] | null;
  origins?: readonly AppointmentOrigin[] | null;
  partnerIds?: readonly string[] | null;
  statuses?: readonly AppointmentStatus[] | null;
}

export interface BookingCounts {
  /** Every appointment of the set, whatever its status now. */
  booked: number;
  cancelled: number;
  noShow: number;
  fulfilled: number;
}

/** A group's key: the grouped dimensions have values, the others are null. */
export interface BookingStatisticsKey {
  origin: AppointmentOrigin | null;
  partnerId: string | null;
  centreId: string | null;
  serviceId: string | null;
  practitionerId: string | null;
  /** "YYYY-MM-DD": the local date (centre's time zone) of the day, of the week's Monday, or of the month's first day. */
  period: string | null;
}

export interface BookingStatisticsGroup {
  key: BookingStatisticsKey;
  counts: BookingCounts;
}

export interface BookingStatistics {
  groups: BookingStatisticsGroup[];
  total: BookingCounts;
}
