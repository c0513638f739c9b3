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

/** The filters, each a bind parameter over a fixed column, present only when given (a NULL list filters nothing). */
const FILTER_SQL: ReadonlyArray<[keyof BookingStatisticsFilter, string]> = [
  ['centreIds', 's.centre_id = ANY ($n::uuid[])'], ['serviceIds', 'a.service_id = ANY ($n::uuid[])'],
  ['practitionerIds', 's.practitioner_id = ANY ($n::uuid[])'], ['origins', 'a.origin = ANY ($n::text[])'],
  ['partnerIds', 'a.partner_id = ANY ($n::uuid[])'], ['statuses', 'a.status = ANY ($n::text[])'],
];

const CALENDAR: readonly StatisticsDimension[] = ['DAY', 'WEEK', 'MONTH'];

/**
 * One statement for the groups and the total: GROUPING SETS ((dimensions), ()) adds the total row
 * (GROUPING(...) tells it apart from a group whose keys are NULL, e.g. the partner of a LOCAL
 * booking). Without dimensions the one plain aggregate row is the total. The empty grouping set
 * answers a row even when nothing matches, so the total is always there.
 * Schedules and centres are joined only when a dimension or a filter needs them (centre,
 * practitioner, a local calendar period): a month by partner and service reads the index alone.
 */
function bookingStatisticsStatement(tenantId: string, filter: BookingStatisticsFilter, dimensions: readonly StatisticsDimension[]): { sql: string; parameters: unknown[] } {
  const parameters: unknown[] = [tenantId, filter.from, filter.to];
  const conditions = FILTER_SQL.filter(([field]) => filter[field] != null).map(([field, sql]) => {
    parameters.push(filter[field]);
    return sql.replace('$n', `$${parameters.length}`);
  });
  const needsCentre = dimensions.some((dimension) => CALENDAR.includes(dimension));
  const needsSchedule = needsCentre || dimensions.includes('CENTRE') || dimensions.includes('PRACTITIONER')
    || filter.centreIds != null || filter.practitionerIds != null;
  const grouped = dimensions.map((dimension) => DIMENSION_SQL[dimension].group);
  const keys = KEY_COLUMNS.map((column) => keyColumn(column, dimensions));
  const isTotal = grouped.length > 0 ? `GROUPING(${grouped.join(', ')}) <> 0` : 'true';
  const grouping = grouped.length > 0
    ? `GROUP BY GROUPING SETS ((${grouped.join(', ')}), ())
       ORDER BY "isTotal", ${dimensions.map((dimension) => DIMENSION_SQL[dimension].order ?? DIMENSION_SQL[dimension].group).join(', ')}`
    : '';
  const sql = `
SELECT ${keys.join(', ')},
       count(*)::int AS "booked",
       (count(*) FILTER (WHERE a.status = 'CANCELLED'))::int AS "cancelled",
       (count(*) FILTER (WHERE a.status = 'NO_SHOW'))::int AS "noShow",
       (count(*) FILTER (WHERE a.status = 'FULFILLED'))::int AS "fulfilled",
       ${isTotal} AS "isTotal"
FROM appointments a
${needsSchedule ? 'JOIN schedules s ON s.tenant_id = a.tenant_id AND s.id = a.schedule_id' : ''}
${needsCentre ? 'JOIN centres c ON c.tenant_id = s.tenant_id AND c.id = s.centre_id' : ''}
WHERE a.tenant_id = $1 AND a.starts_at >= $2::timestamptz AND a.starts_at < $3::timestamptz AND a.status <> 'HELD'
${conditions.map((condition) => `  AND ${condition}`).join('\n')}
${grouping}`;
  return { sql, parameters };
}

type StatisticsRow = BookingStatisticsKey & BookingCounts & { isTotal: boolean };

/** The counts of the filtered appointments per group of the dimensions, and over all of them. */
export async function countBookings(tx: Tx, filter: BookingStatisticsFilter, dimensions: readonly StatisticsDimension[]): Promise<BookingStatistics> {
  // Not a named prepared statement: its text varies with the dimensions and the filters given, and
  // a connection must not keep a plan for every combination a client can send.
  const statement = bookingStatisticsStatement(tx.tenantId, filter, dimensions);
  const rows = await tx.query<StatisticsRow>(statement.sql, statement.parameters);
  const total = rows.find((row) => row.isTotal);
  // The empty grouping set always answers a row; none means the statement above was changed.
  if (!total) throw new Error('booking statistics without their total row');
  return { groups: rows.filter((row) => !row.isTotal).map((row) => ({ key: keyOf(row), counts: countsOf(row) })), total: countsOf(total) };
}

const keyOf = (row: StatisticsRow): BookingStatisticsKey => ({
  origin: row.origin, partnerId: row.partnerId, centreId: row.centreId, serviceId: row.serviceId, practitionerId: row.practitionerId, period: row.period,
});

const countsOf = (row: StatisticsRow): BookingCounts => ({ booked: row.booked, cancelled: row.cancelled, noShow: row.noShow, fulfilled: row.fulfilled });
