import { DateTime } from 'luxon';
import { Client } from 'pg';
import { createAppPool } from '../../src/db/app-pool';
import { TenantDatabase } from '../../src/db/tenant-database';
import { provisionTenant } from '../../src/services/identity/tenant-provisioning';

export const TIME_ZONE = 'Europe/Stockholm';
/** Weeks of generated appointments before and after the current one. */
const PAST_WEEKS = 8;
const FUTURE_WEEKS = 5;
const CENTRES_PER_TENANT = 10;
const SCHEDULES_PER_CENTRE = 10;
const PATIENTS_PER_TENANT = 1000;
/** 1,000,000 appointments over 10,000 schedules at scale 1. */
const APPOINTMENTS_PER_SCHEDULE = 100;
/** Share of the bench centre's opening time that is booked. */
const BENCH_OCCUPANCY = 0.4;
/** Opening hours: Mon–Fri 08:00–12:00 and 13:00–17:00 local, a 15-minute grid: 16 half-hour pairs a day. */
const PAIRS_PER_DAY = 16;
/** A booked pair is one 30-minute visit (half of them) or one 15-minute visit in either half. */
const PAIR_OCCUPANCY = 0.5 * 1 + 0.5 * 0.5;
/**
 * Partners (seed 001): tenant n has 2 + (n + 1) % 2 of them (the bench tenant 3), each with a
 * traffic channel for every service at every centre of its tenant. An appointment is a partner
 * booking when the first byte of its hash is below PARTNER_BYTE (38/256 ≈ 15%): through a partner
 * app when the third byte is below APP_BYTE (60%), else booked by a person for the partner.
 */
const PARTNER_BYTE = 38;
const APP_BYTE = 154;
/** Past appointments: ~5% CANCELLED, ~3% NO_SHOW (the fourth byte), the rest FULFILLED; future ones BOOKED. */
const CANCELLED_BYTE = 13;
const NO_SHOW_BYTE = 21;
const PARTNERS = [
  { name: 'Nordvård Försäkring', kind: 'INSURER' },
  { name: 'Boka Vård Portal', kind: 'BOOKING_PORTAL' },
  { name: 'Hälsokassan', kind: 'INSURER' },
] as const;

/**
 * Appointments of one half of the tenants ($5: 0 or 1); $3/$4: booking probability of a half-hour pair (bench centre / others).
 * Partner, origin and past status come from an md5 of the schedule and the start: the same rows get them every run.
 */
const APPOINTMENTS_SQL = `
INSERT INTO appointments (tenant_id, schedule_id, service_id, patient_id, starts_at, ends_at, status, origin, partner_id)
SELECT tenant_id, id, pg_temp.bench_id('service-' || n || '-' || CASE WHEN kind < 2 THEN 'VISIT30' ELSE 'VISIT15' END),
       pg_temp.bench_id('patient-' || n || '-' || floor(random() * ${PATIENTS_PER_TENANT})::int),
       pair_start + CASE WHEN kind = 3 THEN interval '15 minutes' ELSE interval '0' END,
       pair_start + CASE WHEN kind = 2 THEN interval '15 minutes' ELSE interval '30 minutes' END,
       CASE WHEN pair_start >= now() THEN 'BOOKED' WHEN get_byte(h, 3) < ${CANCELLED_BYTE} THEN 'CANCELLED'
            WHEN get_byte(h, 3) < ${NO_SHOW_BYTE} THEN 'NO_SHOW' ELSE 'FULFILLED' END,
       CASE WHEN get_byte(h, 0) >= ${PARTNER_BYTE} THEN 'LOCAL' WHEN get_byte(h, 2) < ${APP_BYTE} THEN 'PARTNER_APP' ELSE 'PARTNER_BOOKING' END,
       CASE WHEN get_byte(h, 0) < ${PARTNER_BYTE} THEN pg_temp.bench_id('partner-' || n || '-' || get_byte(h, 1) % (2 + (n + 1) % 2)) END
FROM (
  SELECT tenant_id, id, n, floor(random() * 4)::int AS kind, pair_start, decode(md5(id::text || extract(epoch FROM pair_start)::bigint), 'hex') AS h
  FROM (
    -- random() as a column of its own: a bare WHERE random() < … would be pushed down to the scan of bench_bs.
    SELECT bs.tenant_id, bs.id, bs.n, bs.c, random() AS r,
           (d.day + TIME '08:00' + j * interval '30 minutes' + CASE WHEN j >= 8 THEN interval '1 hour' ELSE interval '0' END) AT TIME ZONE '${TIME_ZONE}' AS pair_start
    FROM bench_bs bs
    CROSS JOIN (SELECT day::date FROM generate_series($1::date, $2::date - 1, interval '1 day') day WHERE extract(isodow FROM day) <= 5) d
    CROSS JOIN generate_series(0, ${PAIRS_PER_DAY - 1}) j
    WHERE bs.n % 2 = $5
    OFFSET 0
  ) candidates
  WHERE r < CASE WHEN n = 0 AND c = 0 THEN $3::float8 ELSE $4::float8 END
) g`;

/** An owner session for bulk loading: FK triggers off (the rows are consistent by construction), and the id function. */
async function loaderSession(ownerUrl: string): Promise<Client> {
  const client = new Client({ connectionString: ownerUrl, application_name: 'careslot-bench-load' });
  await client.connect();
  await client.query(`SET session_replication_role = replica`);
  await client.query(`SET synchronous_commit = off`);
  await client.query(`SET maintenance_work_mem = '256MB'`);
  // Deterministic ids shaped like v4 UUIDs (the API validates version and variant digits).
  await client.query(`CREATE FUNCTION pg_temp.bench_id(name text) RETURNS uuid LANGUAGE sql IMMUTABLE
                        RETURN overlay(overlay(md5(name) PLACING '4' FROM 13) PLACING '8' FROM 17)::uuid`);
  return client;
}

export interface Scale {
  tenants: number;
  centres: number;
  schedules: number;
  targetAppointments: number;
}

export function scaleOf(factor: number): Scale {
  const tenants = Math.max(2, Math.round(100 * factor));
  const schedules = tenants * CENTRES_PER_TENANT * SCHEDULES_PER_CENTRE;
  return { tenants, centres: tenants * CENTRES_PER_TENANT, schedules, targetAppointments: schedules * APPOINTMENTS_PER_SCHEDULE };
}

export interface BenchData {
  tenantId: string;
  token: string;
  /** The bench tenant's centre 0: 10 schedules, ~40% booked. */
  centreId: string;
  /** All ten centres of the bench tenant, centre 0 first. */
  centreIds: string[];
  visit15ServiceId: string;
  patientIds: string[];
  /** The bench tenant's generated partners (3), by name; ~15% of the generated appointments are theirs. */
  partnerIds: string[];
  /** The bench week: next Monday 00:00 local to the Monday after (ISO, UTC). */
  weekFrom: string;
  weekTo: string;
  /** 30 days from weekFrom (AVAILABILITY_MAX_DAYS is 31). */
  monthTo: string;
  /** The first day after the generated appointments (local date): everything from there on is free. */
  emptyFromDay: string;
  counts: Record<string, number>;
  benchWeekOccupancy: number;
  loadMs: number;
  steps: Record<string, number>;
}

/**
 * Generates the data set in SQL (generate_series, as the owner, after migrations) in seconds.
 * The bench tenant is provisioned through the product (tenant, admin, token); every other row is
 * generated with deterministic ids (md5 of a name). Appointments sit on the slot grid inside the
 * opening hours and never overlap per schedule: each is placed inside its own half-hour pair.
 * Foreign keys are not re-checked row by row (session_replication_role = replica, the usual
 * bulk-load switch): the generator produces them consistent. The exclusion constraint stays on
 * during the load and checks every generated row but the CANCELLED ones (it exempts them); those
 * are checked against every other row of their schedule after the load. Plain secondary indexes
 * are rebuilt after it. About 15% of the appointments are partner bookings (PARTNERS).
 */
export async function generateData(ownerUrl: string, appUrl: string, factor: number, log: (line: string) => void): Promise<BenchData> {
  const scale = scaleOf(factor);
  const steps: Record<string, number> = {};
  const started = performance.now();
  const step = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const t = performance.now();
    const result = await work();
    steps[name] = Math.round(performance.now() - t);
    log(`  ${name}: ${steps[name]} ms`);
    return result;
  };

  const provisioned = await step('provision bench tenant (product code, app role)', async () => {
    const pool = createAppPool({ url: appUrl, size: 1, onError: () => undefined });
    try {
      return await provisionTenant(new TenantDatabase(pool), { name: 'Bench tenant', adminEmail: 'bench@bench.example', adminName: 'Bench admin' });
    } finally {
      await pool.end();
    }
  });

  const weekStart = DateTime.now().setZone(TIME_ZONE).startOf('week');
  const firstDay = weekStart.minus({ weeks: PAST_WEEKS }).toISODate()!;
  const emptyFromDay = weekStart.plus({ weeks: FUTURE_WEEKS + 1 }).toISODate()!;
  const weekdays = 5 * (PAST_WEEKS + 1 + FUTURE_WEEKS);
  const genericP = APPOINTMENTS_PER_SCHEDULE / (weekdays * PAIRS_PER_DAY);
  const benchP = BENCH_OCCUPANCY / PAIR_OCCUPANCY;

  const client = await loaderSession(ownerUrl);
  try {
    const q = (sql: string, params: unknown[] = []) => client.query(sql, params);
    await step('tenants, centres, practitioners, services, schedules, hours, partners, channels, patients', async () => {
      // Plain (unlogged) tables, not temporary ones: the parallel appointment loaders read them too.
      await q(`CREATE UNLOGGED TABLE bench_bt AS
                 SELECT 0 AS n, $1::uuid AS tenant_id
                 UNION ALL SELECT n, pg_temp.bench_id('tenant-' || n) FROM generate_series(1, $2 - 1) n`, [provisioned.tenantId, scale.tenants]);
      await q(`CREATE UNLOGGED TABLE bench_bs AS
                 SELECT bt.n, bt.tenant_id, c, k, pg_temp.bench_id('centre-' || bt.n || '-' || c) AS centre_id,
                        pg_temp.bench_id('schedule-' || bt.n || '-' || c || '-' || k) AS id,
                        pg_temp.bench_id('practitioner-' || bt.n || '-' || c || '-' || k) AS practitioner_id
                 FROM bench_bt bt, generate_series(0, ${CENTRES_PER_TENANT - 1}) c, generate_series(0, ${SCHEDULES_PER_CENTRE - 1}) k`);
      await q(`INSERT INTO tenants (id, name) SELECT tenant_id, 'Tenant ' || n FROM bench_bt WHERE n > 0`);
      await q(`INSERT INTO centres (tenant_id, id, name, time_zone)
                 SELECT DISTINCT tenant_id, centre_id, 'Centre ' || n || '-' || c, '${TIME_ZONE}' FROM bench_bs`);
      await q(`INSERT INTO practitioners (tenant_id, id, name, qualifications)
                 SELECT tenant_id, practitioner_id, 'Dr ' || (ARRAY['Berg','Lind','Holm','Nyberg','Sjöberg','Ek','Dahl','Falk','Strand','Lund'])[1 + k] || ' ' || c || k, '{GP}' FROM bench_bs`);
      await q(`INSERT INTO services (tenant_id, id, code, name, duration_minutes)
                 SELECT bt.tenant_id, pg_temp.bench_id('service-' || bt.n || '-' || v.code), v.code, v.name, v.minutes
                 FROM bench_bt bt, (VALUES ('VISIT15', 'Short visit', 15), ('VISIT30', 'Visit', 30), ('EXAM45', 'Examination', 45)) v(code, name, minutes)`);
      await q(`INSERT INTO schedules (tenant_id, id, centre_id, practitioner_id, name, slot_minutes)
                 SELECT tenant_id, id, centre_id, practitioner_id, 'Room ' || c || '-' || k, 15 FROM bench_bs`);
      await q(`INSERT INTO schedule_services (tenant_id, schedule_id, service_id)
                 SELECT bs.tenant_id, bs.id, pg_temp.bench_id('service-' || bs.n || '-' || v.code) FROM bench_bs bs, (VALUES ('VISIT15'), ('VISIT30'), ('EXAM45')) v(code)`);
      await q(`INSERT INTO opening_hours (tenant_id, schedule_id, weekday, start_time, end_time, valid_from)
                 SELECT bs.tenant_id, bs.id, wd, h.s, h.e, DATE '2020-01-01'
                 FROM bench_bs bs, generate_series(1, 5) wd, (VALUES (TIME '08:00', TIME '12:00'), (TIME '13:00', TIME '17:00')) h(s, e)`);
      await q(`INSERT INTO partners (tenant_id, id, name, kind)
                 SELECT bt.tenant_id, pg_temp.bench_id('partner-' || bt.n || '-' || p), v.name, v.kind
                 FROM bench_bt bt CROSS JOIN generate_series(0, 1 + (bt.n + 1) % 2) p
                 JOIN (VALUES ${PARTNERS.map((partner, i) => `(${i}, '${partner.name}', '${partner.kind}')`).join(', ')}) v(i, name, kind) ON v.i = p`);
      await q(`INSERT INTO traffic_channels (tenant_id, partner_id, centre_id, service_id)
                 SELECT pa.tenant_id, pa.id, c.id, sv.id FROM partners pa
                 JOIN centres c ON c.tenant_id = pa.tenant_id JOIN services sv ON sv.tenant_id = pa.tenant_id`);
      await q(`INSERT INTO patients (tenant_id, id, family_name, given_name, phone)
                 SELECT bt.tenant_id, pg_temp.bench_id('patient-' || bt.n || '-' || i),
                        (ARRAY['Andersson','Johansson','Karlsson','Nilsson','Eriksson','Larsson','Olsson','Persson','Svensson','Gustafsson',
                               'Pettersson','Jonsson','Jansson','Hansson','Bengtsson','Jönsson','Lindberg','Jakobsson','Magnusson','Olofsson'])[1 + i % 20],
                        (ARRAY['Anna','Erik','Maria','Lars','Karin','Anders','Eva','Johan','Sara','Per'])[1 + (i / 20) % 10],
                        '+4670' || lpad(i::text, 7, '0')
                 FROM bench_bt bt, generate_series(0, ${PATIENTS_PER_TENANT - 1}) i`);
    });
    // Loading 1M rows is mostly index upkeep: drop appointments' plain secondary indexes and rebuild
    // them afterwards from their own definitions (pg_get_indexdef, so they follow the migrations);
    // the exclusion constraint stays and checks every generated row. Two sessions share the work.
    const { rows: indexes } = await q(`SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'appointments'
                                        AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = 'appointments'::regclass)`);
    await step(`appointments (generate_series in 2 sessions, ~${scale.targetAppointments.toLocaleString('en')} rows)`, async () => {
      for (const i of indexes) await q(`DROP INDEX "${i.indexname}"`);
      await Promise.all([0, 1].map(async (part) => {
        const loader = await loaderSession(ownerUrl);
        try {
          await loader.query(APPOINTMENTS_SQL, [firstDay, emptyFromDay, benchP, genericP, part]);
        } finally {
          await loader.end();
        }
      }));
    });
    await step('rebuild appointments indexes', async () => {
      for (const i of indexes) await q(i.indexdef);
      await q('DROP TABLE bench_bs, bench_bt');
    });
    await step('cancelled appointments overlap no other (the constraint exempts them)', async () => {
      const { rows: [overlaps] } = await q(`SELECT count(*)::int AS n FROM appointments x JOIN appointments a
                                              ON a.tenant_id = x.tenant_id AND a.schedule_id = x.schedule_id AND a.id <> x.id
                                             AND a.starts_at < x.ends_at AND a.ends_at > x.starts_at AND a.starts_at > x.starts_at - interval '1 day'
                                             WHERE x.status = 'CANCELLED'`);
      if (overlaps.n !== 0) throw new Error(`${overlaps.n} generated appointments overlap a cancelled one`);
    });
    await q(`RESET session_replication_role`);
    await step('VACUUM ANALYZE', () => q('VACUUM ANALYZE'));

    const one = async (sql: string, params: unknown[] = []) => (await q(sql, params)).rows[0];
    const centreIds = (await q(`SELECT pg_temp.bench_id('centre-0-' || c)::text AS id FROM generate_series(0, ${CENTRES_PER_TENANT - 1}) c ORDER BY c`)).rows.map((r) => r.id as string);
    const patientIds = (await q(`SELECT id::text FROM patients WHERE tenant_id = $1 ORDER BY id LIMIT 200`, [provisioned.tenantId])).rows.map((r) => r.id as string);
    const visit15 = await one(`SELECT pg_temp.bench_id('service-0-VISIT15')::text AS id`);
    const partnerIds = (await q(`SELECT id::text FROM partners WHERE tenant_id = $1 ORDER BY name`, [provisioned.tenantId])).rows.map((r) => r.id as string);
    const weekFrom = weekStart.plus({ weeks: 1 });
    const counts = await one(`SELECT (SELECT count(*) FROM tenants)::int AS tenants, (SELECT count(*) FROM centres)::int AS centres,
                                     (SELECT count(*) FROM schedules)::int AS schedules, (SELECT count(*) FROM patients)::int AS patients,
                                     (SELECT count(*) FROM appointments)::int AS appointments, (SELECT count(*) FROM partners)::int AS partners,
                                     (SELECT count(*) FROM appointments WHERE partner_id IS NOT NULL)::int AS "partnerAppointments"`);
    // Booked minutes / open minutes (10 schedules × 5 days × 8 h) in the bench week.
    const occupancy = await one(`SELECT sum(extract(epoch FROM a.ends_at - a.starts_at)) / (10 * 5 * 8 * 3600) AS share
                                 FROM appointments a JOIN schedules s ON s.tenant_id = a.tenant_id AND s.id = a.schedule_id
                                 WHERE a.tenant_id = $1 AND s.centre_id = $2 AND a.starts_at >= $3 AND a.starts_at < $4`,
    [provisioned.tenantId, centreIds[0], weekFrom.toJSDate(), weekFrom.plus({ weeks: 1 }).toJSDate()]);
    return {
      tenantId: provisioned.tenantId, token: provisioned.adminToken, centreId: centreIds[0], centreIds,
      visit15ServiceId: visit15.id, patientIds, partnerIds,
      weekFrom: weekFrom.toUTC().toISO({ suppressMilliseconds: true })!,
      weekTo: weekFrom.plus({ weeks: 1 }).toUTC().toISO({ suppressMilliseconds: true })!,
      monthTo: weekFrom.plus({ days: 30 }).toUTC().toISO({ suppressMilliseconds: true })!,
      emptyFromDay, counts, benchWeekOccupancy: Number(occupancy.share), loadMs: Math.round(performance.now() - started), steps,
    };
  } finally {
    await client.end();
  }
}

export interface FreeSlot {
  scheduleId: string;
  start: string;
}

/**
 * Free 15-minute grid slots of some of the bench tenant's centres between two local days, in
 * the future: on the grid, inside the opening hours, overlapping no appointment.
 */
export async function freeSlots(
  ownerUrl: string, data: BenchData, options: { centreIds: string[]; scheduleIds?: string[]; fromDay: string; toDay: string; limit: number; shuffle: boolean },
): Promise<FreeSlot[]> {
  const client = new Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    const { rows } = await client.query<FreeSlot>(
      `SELECT s.id::text AS "scheduleId", to_char(g.start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS start
       FROM schedules s
       CROSS JOIN (SELECT day::date FROM generate_series($3::date, $4::date - 1, interval '1 day') day WHERE extract(isodow FROM day) <= 5) d
       CROSS JOIN generate_series(0, 31) i
       CROSS JOIN LATERAL (SELECT (d.day + TIME '08:00' + i * interval '15 minutes' + CASE WHEN i >= 16 THEN interval '1 hour' ELSE interval '0' END)
                                  AT TIME ZONE '${TIME_ZONE}' AS start) g
       WHERE s.tenant_id = $1 AND s.centre_id = ANY ($2::uuid[]) AND ($6::uuid[] IS NULL OR s.id = ANY ($6::uuid[])) AND g.start > now() + interval '10 minutes'
         AND NOT EXISTS (SELECT 1 FROM appointments a WHERE a.tenant_id = s.tenant_id AND a.schedule_id = s.id AND a.status <> 'CANCELLED'
                           AND a.starts_at > g.start - interval '1 hour' AND a.starts_at < g.start + interval '15 minutes' AND a.ends_at > g.start)
       ORDER BY ${options.shuffle ? 'random()' : 'd.day, i, s.id'} LIMIT $5`,
      [data.tenantId, options.centreIds, options.fromDay, options.toDay, options.limit, options.scheduleIds ?? null],
    );
    return rows;
  } finally {
    await client.end();
  }
}

/** Appointments that overlap another live one of the same schedule (the exclusion constraint says: none). */
export async function overlappingRows(ownerUrl: string): Promise<number> {
  const client = new Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    const { rows: [row] } = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM (
         SELECT starts_at, max(ends_at) OVER (PARTITION BY tenant_id, schedule_id ORDER BY starts_at, ends_at
                                                ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS previous_end
         FROM appointments WHERE status <> 'CANCELLED') x
       WHERE previous_end > starts_at`);
    return row.n;
  } finally {
    await client.end();
  }
}
