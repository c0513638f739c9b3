import type { Tx } from '../../db/unit-of-work';
import type {
  BookingCounts, BookingStatistics, BookingStatisticsFilter, BookingStatisticsKey, StatisticsDimension,
} from './booking-statistics.model';

/** The local time of an appointment's start, in its centre's time zone: calendar periods are local. */
const LOCAL_START = 'a.starts_at AT TIME ZONE c.time_zone';

/** How a dimension is grouped (and ordered), and the key column it fills, as which expression. */
interface DimensionSql {
  group: string;
  key: keyof BookingStatisticsKey;
  /** What the key column shows, when it is not the grouped expression itself. */
  shown?: string;
  /** How groups are ordered, when not by the grouped expression itself. */
  order?: string;
}

const calendar = (unit: 'day' | 'week' | 'month'): DimensionSql => ({
  group: `date_trunc('${unit}', ${LOCAL_START})`,
  key: 'period',
  // Text, not a date: pg would turn a date into a JavaScript Date at this server's local midnight.
  shown: `to_char(date_trunc('${unit}', ${LOCAL_START}), 'YYYY-MM-DD')`,
});

/**
 * The whitelist: each dimension is one fixed expression, and the statement is assembled only from
 * these (never from input). Every column read from `a` is in appointments_statistics_idx, so the
 * period read is an index-only scan.
 */
const DIMENSION_SQL: Record<StatisticsDimension, DimensionSql> = {
  // Origin codes ordered byte-wise, so the order does not hang on the database's collation.
  ORIGIN: { group: 'a.origin', key: 'origin', order: 'a.origin COLLATE "C"' },
  PARTNER: { group: 'a.partner_id', key: 'partnerId' },
  CENTRE: { group: 's.centre_id', key: 'centreId' },
  SERVICE: { group: 'a.service_id', key: 'serviceId' },
  PRACTITIONER: { group: 's.practitioner_id', key: 'practitionerId' },
  DAY: calendar('day'),
  WEEK: calendar('week'),
  MONTH: calendar('month'),
};

/** Every key column, always: a dimension not grouped answers NULL. */
const KEY_COLUMNS: ReadonlyArray<[keyof BookingStatisticsKey, string]> = [
  ['origin', 'text'], ['partnerId', 'uuid'], ['centreId', 'uuid'], ['serviceId', 'uuid'], ['practitionerId', 'uuid'], ['period', 'text'],
];

function keyColumn([name, type]: [keyof BookingStatisticsKey, string], dimensions: readonly StatisticsDimension[]): string {
  const filledBy = dimensions.map((dimension) => DIMENSION_SQL[dimension]).find((dimension) => dimension.key === name);
  return `${filledBy ? (filledBy.shown ?? filledBy.group) : `NULL::${type}`} AS "${name}"`;
}

/**
 * One statement for the groups and the total: GROUPING SETS ((dimensions), ()) adds the total row
 * (GROUPING(...) tells it apart from a group whose keys are NULL, e.g. the partner of a LOCAL
 * booking). Without dimensions the one plain aggregate row is the total. The empty grouping set
 * answers a row even when nothing matches, so the total is always there.
 * Filters are bind parameters; a NULL list filters nothing.
 */
function bookingStatisticsSql(dimensions: readonly StatisticsDimension[]): string {
  const grouped = dimensions.map((dimension) => DIMENSION_SQL[dimension].group);
  const keys = KEY_COLUMNS.map((column) => keyColumn(column, dimensions));
  const isTotal = grouped.length > 0 ? `GROUPING(${grouped.join(', ')}) <> 0` : 'true';
  const grouping = grouped.length > 0
    ? `GROUP BY GROUPING SETS ((${grouped.join(', ')}), ())
       ORDER BY "isTotal", ${dimensions.map((dimension) => DIMENSION_SQL[dimension].order ?? DIMENSION_SQL[dimension].group).join(', ')}`
    : '';
  return `
SELECT ${keys.join(', ')},
       count(*)::int AS "booked",
       (count(*) FILTER (WHERE a.status = 'CANCELLED'))::int AS "cancelled",
       (count(*) FILTER (WHERE a.status = 'NO_SHOW'))::int AS "noShow",
       (count(*) FILTER (WHERE a.status = 'FULFILLED'))::int AS "fulfilled",
       ${isTotal} AS "isTotal"
FROM appointments a
JOIN schedules s ON s.tenant_id = a.tenant_id AND s.id = a.schedule_id
JOIN centres c ON c.tenant_id = s.tenant_id AND c.id = s.centre_id
WHERE a.tenant_id = $1 AND a.starts_at >= $2::timestamptz AND a.starts_at < $3::timestamptz
  AND ($4::uuid[] IS NULL OR s.centre_id = ANY ($4::uuid[]))
  AND ($5::uuid[] IS NULL OR a.service_id = ANY ($5::uuid[]))
  AND ($6::uuid[] IS NULL OR s.practitioner_id = ANY ($6::uuid[]))
  AND ($7::text[] IS NULL OR a.origin = ANY ($7::text[]))
  AND ($8::uuid[] IS NULL OR a.partner_id = ANY ($8::uuid[]))
  AND ($9::text[] IS NULL OR a.status = ANY ($9::text[]))
${grouping}`;
}

function bookingStatisticsParameters(tenantId: string, filter: BookingStatisticsFilter): unknown[] {
  return [
    tenantId, filter.from, filter.to, filter.centreIds ?? null, filter.serviceIds ?? null, filter.practitionerIds ?? null,
    filter.origins ?? null, filter.partnerIds ?? null, filter.statuses ?? null,
  ];
}

type StatisticsRow = BookingStatisticsKey & BookingCounts & { isTotal: boolean };

/** The counts of the filtered appointments per group of the dimensions, and over all of them. */
export async function countBookings(tx: Tx, filter: BookingStatisticsFilter, dimensions: readonly StatisticsDimension[]): Promise<BookingStatistics> {
  // Not a named prepared statement: its text varies with the dimensions, and a plan made for one
  // filter (NULL lists) would be reused for another.
  const rows = await tx.query<StatisticsRow>(bookingStatisticsSql(dimensions), bookingStatisticsParameters(tx.tenantId, filter));
  const total = rows.find((row) => row.isTotal);
  // The empty grouping set always answers a row; none means the statement above was changed.
  if (!total) throw new Error('booking statistics without their total row');
  return { groups: rows.filter((row) => !row.isTotal).map((row) => ({ key: keyOf(row), counts: countsOf(row) })), total: countsOf(total) };
}

const keyOf = (row: StatisticsRow): BookingStatisticsKey => ({
  origin: row.origin, partnerId: row.partnerId, centreId: row.centreId, serviceId: row.serviceId, practitionerId: row.practitionerId, period: row.period,
});

const countsOf = (row: StatisticsRow): BookingCounts => ({ booked: row.booked, cancelled: row.cancelled, noShow: row.noShow, fulfilled: row.fulfilled });
