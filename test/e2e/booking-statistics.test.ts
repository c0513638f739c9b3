import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import { withPgClient } from '../../src/db/pg-client';
import { errorCode, gql, gqlOk, type GraphQLResponse } from '../helpers/graphql-client';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { createCentre, createPractitioner, createSchedule, createService } from '../factories/catalog';
import { createStaff, createTenant, type TestTenant } from '../factories/tenants';

/**
 * bookingStatistics against a reference count: a few hundred appointments written straight into
 * the database (seeded, so a failure replays), then random filters and groupings whose answers
 * must equal what TypeScript counts from the same rows, local calendars computed with luxon.
 */

const STATISTICS = `query Statistics($filter: BookingStatisticsFilter!, $groupBy: [BookingStatisticsDimension!]!) {
  bookingStatistics(filter: $filter, groupBy: $groupBy) {
    groups { key { origin partnerId centreId serviceId practitionerId period } counts { booked cancelled noShow fulfilled } }
    total { booked cancelled noShow fulfilled }
  }
}`;

const ORIGINS = ['LOCAL', 'SHARED_CLIENT', 'PARTNER_BOOKING', 'PARTNER_APP'] as const;
const STATUSES = ['BOOKED', 'CONFIRMED', 'ARRIVED', 'FULFILLED', 'CANCELLED', 'NO_SHOW'] as const;
const KEY_DIMENSIONS = ['ORIGIN', 'PARTNER', 'CENTRE', 'SERVICE', 'PRACTITIONER'] as const;
const PERIODS = ['DAY', 'WEEK', 'MONTH'] as const;
type Dimension = (typeof KEY_DIMENSIONS)[number] | (typeof PERIODS)[number];
/** Two zones six hours apart, with their DST changes on different dates inside the data's span. */
const ZONES = ['Europe/Stockholm', 'America/New_York'];
/** Local dates of the data: across a year's end, three month ends and both DST changes. */
const FIRST_DAY = DateTime.fromISO('2025-12-15', { zone: 'utc' });
const SPAN_DAYS = 120;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

interface Counts { booked: number; cancelled: number; noShow: number; fulfilled: number }
interface Key { origin: string | null; partnerId: string | null; centreId: string | null; serviceId: string | null; practitionerId: string | null; period: string | null }
interface Statistics { groups: Array<{ key: Key; counts: Counts }>; total: Counts }
interface Filter {
  from: string; to: string;
  centreIds?: string[] | null; serviceIds?: string[] | null; practitionerIds?: string[] | null;
  origins?: string[] | null; partnerIds?: string[] | null; statuses?: string[] | null;
}
interface Schedule { id: string; centreId: string; practitionerId: string; zone: string }
interface Row {
  schedule: Schedule; serviceId: string; startsAt: Date; status: (typeof STATUSES)[number];
  origin: (typeof ORIGINS)[number]; partnerId: string | null;
}

/** mulberry32: a small seeded PRNG, so every run (and every failure) replays the same data. */
function seededRandom(seed: number) {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const int = (below: number): number => Math.floor(next() * below);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  const chance = (p: number): boolean => next() < p;
  const shuffled = <T>(items: readonly T[]): T[] => {
    const copy = [...items];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = int(i + 1);
      [copy[i], copy[j]] = [copy[j]!, copy[i]!];
    }
    return copy;
  };
  const subset = <T>(items: readonly T[]): T[] => items.filter(() => chance(0.5));
  return { int, pick, chance, shuffled, subset };
}
type Random = ReturnType<typeof seededRandom>;

/** Starts within two hours of local midnight, where the UTC date, week or month is often another. */
function generateRows(random: Random, schedules: Schedule[], serviceIds: string[], partnerIds: string[], count: number): Row[] {
  const rows: Row[] = [];
  const taken = new Set<string>();
  while (rows.length < count) {
    const schedule = random.pick(schedules);
    const midnight = DateTime.fromISO(FIRST_DAY.plus({ days: random.int(SPAN_DAYS) }).toISODate()!, { zone: schedule.zone });
    const startsAt = midnight.plus({ minutes: (random.int(16) - 8) * 15 }).toJSDate();
    // Fifteen-minute appointments on a fifteen-minute grid never overlap unless they share a start.
    const slot = `${schedule.id}/${startsAt.getTime()}`;
    if (taken.has(slot)) continue;
    taken.add(slot);
    const origin = random.pick(ORIGINS);
    const partnerId = origin === 'PARTNER_BOOKING' || origin === 'PARTNER_APP' ? random.pick(partnerIds) : null;
    rows.push({ schedule, serviceId: random.pick(serviceIds), startsAt, status: random.pick(STATUSES), origin, partnerId });
  }
  return rows;
}

/** What the API must answer, counted here from the rows written. */
function referenceStatistics(rows: Row[], filter: Filter, groupBy: Dimension[]): Statistics {
  const from = Date.parse(filter.from);
  const to = Date.parse(filter.to);
  const within = (list: string[] | null | undefined, value: string | null) => !list || (value !== null && list.includes(value));
  const selected = rows.filter((row) => row.startsAt.getTime() >= from && row.startsAt.getTime() < to
    && within(filter.centreIds, row.schedule.centreId) && within(filter.serviceIds, row.serviceId)
    && within(filter.practitionerIds, row.schedule.practitionerId) && within(filter.origins, row.origin)
    && within(filter.partnerIds, row.partnerId) && within(filter.statuses, row.status));
  const groups = new Map<string, { key: Key; counts: Counts }>();
  const total = emptyCounts();
  for (const row of selected) {
    const key = keyOf(row, groupBy);
    const id = JSON.stringify(key);
    const group = groups.get(id) ?? { key, counts: emptyCounts() };
    groups.set(id, group);
    count(group.counts, row);
    count(total, row);
  }
  if (groupBy.length === 0) return { groups: [{ key: keyOf(undefined, []), counts: total }], total };
  return { groups: [...groups.values()].sort((a, b) => compareKeys(a.key, b.key, groupBy)), total };
}

const emptyCounts = (): Counts => ({ booked: 0, cancelled: 0, noShow: 0, fulfilled: 0 });

function count(counts: Counts, row: Row): void {
  counts.booked += 1;
  if (row.status === 'CANCELLED') counts.cancelled += 1;
  if (row.status === 'NO_SHOW') counts.noShow += 1;
  if (row.status === 'FULFILLED') counts.fulfilled += 1;
}

const KEY_FIELD: Record<Dimension, keyof Key> = {
  ORIGIN: 'origin', PARTNER: 'partnerId', CENTRE: 'centreId', SERVICE: 'serviceId', PRACTITIONER: 'practitionerId', DAY: 'period', WEEK: 'period', MONTH: 'period',
};

function keyOf(row: Row | undefined, groupBy: Dimension[]): Key {
  const key: Key = { origin: null, partnerId: null, centreId: null, serviceId: null, practitionerId: null, period: null };
  if (!row) return key;
  const local = DateTime.fromJSDate(row.startsAt, { zone: row.schedule.zone });
  const values: Record<Dimension, string | null> = {
    ORIGIN: row.origin, PARTNER: row.partnerId, CENTRE: row.schedule.centreId, SERVICE: row.serviceId, PRACTITIONER: row.schedule.practitionerId,
    // luxon's weeks are ISO weeks: they start on Monday.
    DAY: local.toISODate(), WEEK: local.startOf('week').toISODate(), MONTH: local.startOf('month').toISODate(),
  };
  for (const dimension of groupBy) key[KEY_FIELD[dimension]] = values[dimension];
  return key;
}

/** PostgreSQL's order: ascending, NULLS LAST; uuids byte-wise (their hex text sorts alike), origins in "C" order. */
function compareKeys(a: Key, b: Key, groupBy: Dimension[]): number {
  for (const dimension of groupBy) {
    const [x, y] = [a[KEY_FIELD[dimension]], b[KEY_FIELD[dimension]]];
    if (x === y) continue;
    if (x === null) return 1;
    if (y === null) return -1;
    return x < y ? -1 : 1;
  }
  return 0;
}

async function insertPartners(app: TestServer, tenantId: string, names: string[]): Promise<string[]> {
  const ids = names.map(() => randomUUID());
  await asOwner(app, tenantId, (query) => query(
    `INSERT INTO partners (tenant_id, id, name, kind) SELECT $1, id, name, 'BOOKING_PORTAL' FROM unnest($2::uuid[], $3::text[]) AS p(id, name)`,
    [tenantId, ids, names],
  ));
  return ids;
}

async function insertAppointments(app: TestServer, tenantId: string, rows: Row[]): Promise<void> {
  await asOwner(app, tenantId, (query) => query(
    `INSERT INTO appointments (tenant_id, schedule_id, service_id, starts_at, ends_at, status, origin, partner_id)
     SELECT $1, r.* FROM unnest($2::uuid[], $3::uuid[], $4::timestamptz[], $5::timestamptz[], $6::text[], $7::text[], $8::uuid[]) AS r`,
    [tenantId, rows.map((r) => r.schedule.id), rows.map((r) => r.serviceId), rows.map((r) => r.startsAt),
      rows.map((r) => new Date(r.startsAt.getTime() + 15 * 60_000)), rows.map((r) => r.status), rows.map((r) => r.origin), rows.map((r) => r.partnerId)],
  ));
}

/** Rows the API has no door for (partners, appointments in bulk), written as the database owner within the tenant's scope. */
async function asOwner(app: TestServer, tenantId: string, work: (query: (sql: string, values: unknown[]) => Promise<unknown>) => Promise<unknown>): Promise<void> {
  await withPgClient(app.databaseUrl, async (client) => {
    await client.query('BEGIN');
    await client.query(`SELECT set_config('app.tenant_id', $1, true)`, [tenantId]);
    await work((sql, values) => client.query(sql, values));
    await client.query('COMMIT');
  });
}

async function partnerAppToken(app: TestServer, tenant: TestTenant, partnerId: string): Promise<string> {
  const data = await gqlOk<{ createApiToken: { token: string } }>(app, 'mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { token } }',
    { input: { partnerId, label: 'statistics app' } }, tenant.adminToken);
  return data.createApiToken.token;
}

async function partnerUserToken(app: TestServer, tenant: TestTenant, partnerId: string, permissions: string[]): Promise<string> {
  const user = await gqlOk<{ createUser: { id: string } }>(app, 'mutation($input: CreateUserInput!) { createUser(input: $input) { id } }',
    { input: { partnerId, email: `partner-${randomUUID().slice(0, 8)}@test.example`, displayName: 'Partner user', roles: [], permissions } }, tenant.adminToken);
  const token = await gqlOk<{ createApiToken: { token: string } }>(app, 'mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { token } }',
    { input: { userId: user.createUser.id, label: 'statistics user' } }, tenant.adminToken);
  return token.createApiToken.token;
}

describe('bookingStatistics', () => {
  let app: TestServer;
  let tenant: TestTenant;
  let viewer: string;
  let schedules: Schedule[];
  let centreIds: string[];
  let serviceIds: string[];
  let practitionerIds: string[];
  let partnerIds: string[];
  let rows: Row[];
  /** Every appointment of the data lies inside it. */
  const everything = (): Filter => ({ from: FIRST_DAY.minus({ days: 2 }).toISO()!, to: FIRST_DAY.plus({ days: SPAN_DAYS + 2 }).toISO()! });

  const statistics = (filter: Filter, groupBy: Dimension[], token = viewer): Promise<GraphQLResponse<{ bookingStatistics: Statistics }>> =>
    gql<{ bookingStatistics: Statistics }>(app, STATISTICS, { filter, groupBy }, token);

  beforeAll(async () => {
    app = await startTestServer();
    tenant = await createTenant(app);
    viewer = (await createStaff(app, tenant, ['VIEWER'])).token;
    serviceIds = [];
    for (let i = 0; i < 3; i++) serviceIds.push(await createService(app, tenant, { durationMinutes: 15 }));
    practitionerIds = [await createPractitioner(app, tenant), await createPractitioner(app, tenant)];
    centreIds = [];
    schedules = [];
    for (const zone of ZONES) {
      const centreId = await createCentre(app, tenant, { timeZone: zone });
      centreIds.push(centreId);
      for (const practitionerId of practitionerIds) {
        schedules.push({ id: await createSchedule(app, tenant, { centreId, serviceIds, practitionerId }), centreId, practitionerId, zone });
      }
    }
    partnerIds = await insertPartners(app, tenant.tenantId, ['Portal A', 'Portal B', 'Insurer C']);
    rows = generateRows(seededRandom(20260301), schedules, serviceIds, partnerIds, 420);
    await insertAppointments(app, tenant.tenantId, rows);
  }, 60_000);
  afterAll(() => app.close());

  describe('against a reference count', () => {
    it('generates data where the local calendar differs from UTC\'s', () => {
      const utcDay = (row: Row) => row.startsAt.toISOString().slice(0, 10);
      const localDay = (row: Row) => DateTime.fromJSDate(row.startsAt, { zone: row.schedule.zone }).toISODate();
      expect(rows.filter((row) => utcDay(row) !== localDay(row)).length).toBeGreaterThan(100);
      for (const origin of ORIGINS) expect(rows.some((row) => row.origin === origin)).toBe(true);
      for (const status of STATUSES) expect(rows.some((row) => row.status === status)).toBe(true);
    });

    it('answers every random filter and grouping exactly, in one statement', async () => {
      const random = seededRandom(7);
      const foreign = randomUUID();
      // Mostly no filter, else a few values (now and then none at all, which matches nothing).
      const maybe = <T>(items: readonly T[], extra: T[] = []): T[] | null => {
        if (random.chance(0.7)) return null;
        if (random.chance(0.05)) return extra;
        const chosen = random.subset(items);
        return [...(chosen.length > 0 ? chosen : [random.pick(items)]), ...extra];
      };
      for (let run = 0; run < 60; run++) {
        const from = FIRST_DAY.toMillis() - 2 * DAY_MS + random.int(110) * DAY_MS + random.int(24) * HOUR_MS;
        const length = run % 5 === 0 ? (SPAN_DAYS + 4) * DAY_MS : (1 + random.int(60)) * DAY_MS + random.int(24) * HOUR_MS;
        const filter: Filter = {
          from: new Date(from).toISOString(), to: new Date(from + length).toISOString(),
          centreIds: maybe(centreIds, random.chance(0.2) ? [foreign] : []), serviceIds: maybe(serviceIds), practitionerIds: maybe(practitionerIds),
          origins: maybe(ORIGINS), partnerIds: maybe(partnerIds), statuses: maybe(STATUSES),
        };
        const groupBy: Dimension[] = run === 0 ? [] : random.shuffled(KEY_DIMENSIONS).slice(0, run === 1 ? 5 : random.int(4));
        if (run === 1 || random.chance(0.6)) groupBy.splice(random.int(groupBy.length + 1), 0, random.pick(PERIODS));

        const response = await statistics(filter, groupBy);
        expect({ run, filter, groupBy, errors: response.errors }).toEqual({ run, filter, groupBy, errors: undefined });
        expect({ run, filter, groupBy, answer: response.data!.bookingStatistics }).toEqual({ run, filter, groupBy, answer: referenceStatistics(rows, filter, groupBy) });
        expect(response.sqlStatements).toBe(1);
      }
    });

    it('groups by the centre\'s local week and month, not UTC\'s', async () => {
      const groupBy: Dimension[] = ['CENTRE', 'MONTH'];
      const answer = (await statistics(everything(), groupBy)).data!.bookingStatistics;
      expect(answer).toEqual(referenceStatistics(rows, everything(), groupBy));
      expect(answer.groups.map((group) => group.key.period)).toContain('2025-12-01');
      const weeks = (await statistics(everything(), ['WEEK'])).data!.bookingStatistics.groups;
      for (const { key } of weeks) expect(DateTime.fromISO(key.period!).weekday).toBe(1);
    });
  });

  describe('who may read', () => {
    it('lets a partner app count only its own partner\'s bookings, named or not', async () => {
      const token = await partnerAppToken(app, tenant, partnerIds[0]!);
      const groupBy: Dimension[] = ['PARTNER', 'ORIGIN', 'MONTH'];
      const own = referenceStatistics(rows, { ...everything(), partnerIds: [partnerIds[0]!] }, groupBy);
      expect(own.total.booked).toBeGreaterThan(0);
      const unnamed = await statistics(everything(), groupBy, token);
      expect(unnamed.data!.bookingStatistics).toEqual(own);
      expect(new Set(unnamed.data!.bookingStatistics.groups.map((group) => group.key.partnerId))).toEqual(new Set([partnerIds[0]]));
      expect((await statistics({ ...everything(), partnerIds: [partnerIds[0]!] }, groupBy, token)).data!.bookingStatistics).toEqual(own);
    });

    it('answers FORBIDDEN to a partner app naming another partner', async () => {
      const token = await partnerAppToken(app, tenant, partnerIds[0]!);
      for (const named of [[partnerIds[1]!], [partnerIds[0]!, partnerIds[2]!], [randomUUID()]]) {
        const response = await statistics({ ...everything(), partnerIds: named }, ['PARTNER'], token);
        expect(errorCode(response)).toBe('FORBIDDEN');
        expect(response.data).toBeNull();
      }
    });

    it('lets a partner user with PARTNER_BOOKING read its own partner\'s figures, and refuses one without', async () => {
      const allowed = await partnerUserToken(app, tenant, partnerIds[1]!, ['PARTNER_BOOKING']);
      const own = referenceStatistics(rows, { ...everything(), partnerIds: [partnerIds[1]!] }, ['SERVICE']);
      expect((await statistics(everything(), ['SERVICE'], allowed)).data!.bookingStatistics).toEqual(own);
      const refused = await partnerUserToken(app, tenant, partnerIds[1]!, []);
      expect(errorCode(await statistics(everything(), ['SERVICE'], refused))).toBe('FORBIDDEN');
    });

    it('lets every staff role read everything', async () => {
      const expected = referenceStatistics(rows, everything(), ['PARTNER']);
      for (const role of ['ADMIN', 'CLINIC_HEAD', 'SCHEDULER', 'VIEWER'] as const) {
        const token = (await createStaff(app, tenant, [role])).token;
        expect((await statistics(everything(), ['PARTNER'], token)).data!.bookingStatistics).toEqual(expected);
      }
    });

    it('counts nothing of another tenant, whatever ids are named', async () => {
      const other = await createTenant(app);
      const [otherPartner] = await insertPartners(app, other.tenantId, ['Portal A']);
      const otherCentre = await createCentre(app, other, { timeZone: 'Europe/Stockholm' });
      const nothing = { groups: [], total: emptyCounts() };

      expect((await statistics(everything(), ['CENTRE'], other.adminToken)).data!.bookingStatistics).toEqual(nothing);
      expect((await statistics({ ...everything(), centreIds: centreIds, partnerIds: partnerIds }, ['CENTRE'], other.adminToken)).data!.bookingStatistics).toEqual(nothing);
      expect((await statistics(everything(), ['PARTNER'], await partnerAppToken(app, other, otherPartner!))).data!.bookingStatistics).toEqual(nothing);
      expect((await statistics({ ...everything(), centreIds: [otherCentre], partnerIds: [otherPartner!] }, ['CENTRE'])).data!.bookingStatistics).toEqual(nothing);
    });
  });

  describe('bad input', () => {
    const fieldsOf = (response: GraphQLResponse) => (response.errors ?? []).flatMap((error) => (error.extensions?.fields ?? []) as Array<{ field: string }>).map((f) => f.field);
    const expectBadInput = (response: GraphQLResponse, field: string) => {
      expect(errorCode(response)).toBe('BAD_USER_INPUT');
      expect(fieldsOf(response)).toContain(field);
    };
    const at = (iso: string) => DateTime.fromISO(iso, { zone: 'utc' }).toISO()!;

    it('refuses a period that does not run forward', async () => {
      expectBadInput(await statistics({ from: at('2026-03-01'), to: at('2026-03-01') }, []), 'filter.to');
      expectBadInput(await statistics({ from: at('2026-03-02'), to: at('2026-03-01') }, []), 'filter.to');
    });

    it('takes 366 days and refuses a longer period', async () => {
      expect((await statistics({ from: at('2025-06-01'), to: at('2026-06-02') }, [])).errors).toBeUndefined();
      expectBadInput(await statistics({ from: at('2025-06-01'), to: at('2026-06-02T00:00:01') }, []), 'filter.to');
    });

    it('refuses an unknown dimension, origin or status, naming where', async () => {
      const period = { from: at('2026-03-01'), to: at('2026-04-01') };
      expectBadInput(await gql(app, STATISTICS, { filter: period, groupBy: ['YEAR'] }, viewer), 'groupBy[0]');
      expectBadInput(await gql(app, STATISTICS, { filter: { ...period, origins: ['WALK_IN'] }, groupBy: [] }, viewer), 'filter.origins[0]');
      expectBadInput(await gql(app, STATISTICS, { filter: { ...period, statuses: ['LOST'] }, groupBy: [] }, viewer), 'filter.statuses[0]');
    });

    it('refuses more than 100 ids in a list, and malformed ids', async () => {
      const period = { from: at('2026-03-01'), to: at('2026-04-01') };
      const many = Array.from({ length: 101 }, () => randomUUID());
      for (const list of ['centreIds', 'serviceIds', 'practitionerIds', 'partnerIds']) {
        expectBadInput(await statistics({ ...period, [list]: many }, []), `filter.${list}`);
      }
      expect((await statistics({ ...period, centreIds: many.slice(0, 100) }, [])).errors).toBeUndefined();
      expectBadInput(await statistics({ ...period, serviceIds: [serviceIds[0]!, 'not-an-id'] }, []), 'filter.serviceIds[1]');
    });

    it('refuses a dimension named twice, and two calendar periods at once', async () => {
      const period = { from: at('2026-03-01'), to: at('2026-04-01') };
      expectBadInput(await statistics(period, ['CENTRE', 'ORIGIN', 'CENTRE']), 'groupBy');
      expectBadInput(await statistics(period, ['WEEK', 'MONTH']), 'groupBy');
    });

    it('answers a partner app FORBIDDEN before telling it what is wrong with a period', async () => {
      const token = await partnerAppToken(app, tenant, partnerIds[2]!);
      expect(errorCode(await statistics({ from: at('2026-03-02'), to: at('2026-03-01'), partnerIds: [partnerIds[0]!] }, [], token))).toBe('FORBIDDEN');
    });
  });
});
