import { FORGED_CURSORS } from '../helpers/pages';
import { randomBytes } from 'node:crypto';
import { errorCode, gql, gqlOk } from '../helpers/graphql-client';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { createCentreWithSchedules, everyDay, type CentreWithSchedules } from '../factories/catalog';
import { createStaff, createTenant, type TestTenant } from '../factories/tenants';
import {
  APPOINTMENTS, PATIENTS, SlotAllocator, allAppointments, bookOk, cancel, changeStatus, createPatient, key, localAt, plusMinutes,
  searchPatients, type AppointmentData, type PatientData,
} from '../support/scheduling';

/**
 * Reading agendas: appointments(filter, first, after) with every filter and keyset pagination,
 * patients(search) by name prefix and personal identity number, and the DataLoader guarantee that
 * nested fields cost no statement per row.
 */

type Page<T> = { nodes: T[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };

const ids = (nodes: Array<{ id: string }>) => nodes.map((node) => node.id);
/** The order the API promises: start, then id. */
const byStartThenId = (a: AppointmentData, b: AppointmentData) => Date.parse(a.start) - Date.parse(b.start) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

describe('appointment and patient queries', () => {
  let app: TestServer;
  let tenant: TestTenant;
  let scheduler: { userId: string; token: string };
  let north: CentreWithSchedules;
  let south: CentreWithSchedules;
  let serviceNorth: string;
  let serviceSouth: string;
  let patients: Record<'ingrid' | 'erik' | 'sven', PatientData>;
  /** Everything booked in beforeAll, as answered, with statuses applied. */
  let all: AppointmentData[];
  let tie: AppointmentData[];

  const q = async (filter: Record<string, unknown>, first = 100, after?: string | null) =>
    (await gqlOk<{ appointments: Page<AppointmentData> }>(app, APPOINTMENTS, { filter, first, after }, scheduler.token)).appointments;

  beforeAll(async () => {
    app = await startTestServer();
    tenant = await createTenant(app);
    scheduler = await createStaff(app, tenant, ['SCHEDULER']);
    north = await createCentreWithSchedules(app, tenant, { name: 'North', schedules: 2, openingHours: everyDay('08:00', '17:00'), services: [{ durationMinutes: 30 }] });
    south = await createCentreWithSchedules(app, tenant, { name: 'South', schedules: 1, openingHours: everyDay('08:00', '17:00'), services: [{ durationMinutes: 30 }] });
    serviceNorth = north.serviceIds[0]!;
    serviceSouth = south.serviceIds[0]!;
    const patient = async (familyName: string, givenName: string) =>
      (await createPatient(app, scheduler.token, { familyName, givenName, personalIdentityNumber: `1980${randomBytes(4).toString('hex')}` })).data!.createPatient;
    patients = { ingrid: await patient('Qlund', 'Ingrid'), erik: await patient('Qberg', 'Erik'), sven: await patient('Qholm', 'Sven') };

    const booked: AppointmentData[] = [];
    const at = async (centre: CentreWithSchedules, schedule: number, service: string, day: number, hour: number, minute: number, who: PatientData) => {
      const appointment = await bookOk(app, scheduler.token, { scheduleId: centre.scheduleIds[schedule], serviceId: service, start: localAt(day, hour, minute), patientId: who.id });
      booked.push(appointment);
      return appointment;
    };
    // North, schedule 0: days 2 and 3.
    await at(north, 0, serviceNorth, 2, 9, 0, patients.ingrid);
    await at(north, 0, serviceNorth, 2, 10, 0, patients.erik);
    await at(north, 0, serviceNorth, 3, 11, 0, patients.sven);
    await at(north, 0, serviceNorth, 3, 14, 30, patients.ingrid);
    // North, schedule 1.
    await at(north, 1, serviceNorth, 2, 9, 30, patients.erik);
    await at(north, 1, serviceNorth, 4, 8, 0, patients.ingrid);
    // South.
    await at(south, 0, serviceSouth, 2, 13, 0, patients.sven);
    await at(south, 0, serviceSouth, 5, 16, 0, patients.erik);
    // Three appointments at the very same instant (ties broken by id), in both centres.
    tie = [
      await at(north, 0, serviceNorth, 6, 12, 0, patients.ingrid),
      await at(north, 1, serviceNorth, 6, 12, 0, patients.erik),
      await at(south, 0, serviceSouth, 6, 12, 0, patients.sven),
    ];
    // Statuses: one confirmed, one cancelled, one fulfilled.
    await changeStatus(app, scheduler.token, { appointmentId: booked[1]!.id, status: 'CONFIRMED' });
    await cancel(app, scheduler.token, { appointmentId: booked[2]!.id, reasonCode: 'PATIENT_REQUEST', idempotencyKey: key() });
    await changeStatus(app, scheduler.token, { appointmentId: booked[4]!.id, status: 'ARRIVED' });
    await changeStatus(app, scheduler.token, { appointmentId: booked[4]!.id, status: 'FULFILLED' });
    all = (await allAppointments(app, scheduler.token)).nodes;
    expect(all).toHaveLength(booked.length);
  });
  afterAll(() => app?.close());

  const expected = (predicate: (a: AppointmentData) => boolean) => ids(all.filter(predicate).sort(byStartThenId));

  describe('appointments(filter)', () => {
    it('answers everything ordered by start, then id, without a filter', async () => {
      const page = await q({});
      expect(ids(page.nodes)).toEqual(ids([...all].sort(byStartThenId)));
      expect(page.pageInfo.hasNextPage).toBe(false);
    });

    it('filters by centre', async () => {
      const northIds = new Set(north.scheduleIds);
      expect(ids((await q({ centreId: north.centreId })).nodes)).toEqual(expected((a) => northIds.has(a.scheduleId)));
      expect(ids((await q({ centreId: south.centreId })).nodes)).toEqual(expected((a) => a.scheduleId === south.scheduleIds[0]));
      for (const node of (await q({ centreId: south.centreId })).nodes) expect(node.centreId).toBe(south.centreId);
    });

    it('filters by schedule', async () => {
      for (const scheduleId of [...north.scheduleIds, ...south.scheduleIds]) {
        const nodes = (await q({ scheduleId })).nodes;
        expect(nodes.length).toBeGreaterThan(0);
        expect(ids(nodes)).toEqual(expected((a) => a.scheduleId === scheduleId));
      }
    });

    it('filters by period: appointments ending after `from` and starting before `to`', async () => {
      const from = localAt(2, 0);
      const to = localAt(3, 0);
      expect(ids((await q({ from, to })).nodes)).toEqual(expected((a) => Date.parse(a.end) > Date.parse(from) && Date.parse(a.start) < Date.parse(to)));
      expect((await q({ from, to })).nodes.length).toBe(4);
    });

    it('treats the period as half-open: an appointment ending at `from` or starting at `to` is outside', async () => {
      const target = all.find((a) => a.patientId === patients.ingrid.id && Date.parse(a.start) === Date.parse(localAt(2, 9)))!;
      const only = (nodes: AppointmentData[]) => ids(nodes).includes(target.id);
      expect(only((await q({ from: target.end })).nodes)).toBe(false);
      expect(only((await q({ from: plusMinutes(target.end, -1) })).nodes)).toBe(true);
      expect(only((await q({ to: target.start })).nodes)).toBe(false);
      expect(only((await q({ to: plusMinutes(target.start, 1) })).nodes)).toBe(true);
      expect(ids((await q({ from: target.start, to: target.end, scheduleId: target.scheduleId })).nodes)).toEqual([target.id]);
    });

    it('filters by status', async () => {
      expect((await q({ statuses: ['CANCELLED'] })).nodes.map((a) => a.status)).toEqual(['CANCELLED']);
      expect((await q({ statuses: ['FULFILLED'] })).nodes.map((a) => a.status)).toEqual(['FULFILLED']);
      expect(ids((await q({ statuses: ['BOOKED', 'CONFIRMED'] })).nodes)).toEqual(expected((a) => a.status === 'BOOKED' || a.status === 'CONFIRMED'));
      expect((await q({ statuses: ['NO_SHOW'] })).nodes).toEqual([]);
      expect(ids((await q({ statuses: [] })).nodes)).toEqual([]);
    });

    it('filters by origin (everything booked here is LOCAL)', async () => {
      expect(ids((await q({ origins: ['LOCAL'] })).nodes)).toEqual(expected(() => true));
      expect((await q({ origins: ['PARTNER_APP', 'PARTNER_BOOKING', 'SHARED_CLIENT'] })).nodes).toEqual([]);
    });

    it('filters by patient', async () => {
      for (const patient of Object.values(patients)) {
        const nodes = (await q({ patientId: patient.id })).nodes;
        expect(nodes.length).toBeGreaterThan(0);
        expect(ids(nodes)).toEqual(expected((a) => a.patientId === patient.id));
      }
    });

    it('combines filters (AND)', async () => {
      const filter = { centreId: north.centreId, patientId: patients.ingrid.id, statuses: ['BOOKED'], from: localAt(2, 0), to: localAt(5, 0) };
      const northIds = new Set(north.scheduleIds);
      expect(ids((await q(filter)).nodes)).toEqual(expected((a) => northIds.has(a.scheduleId) && a.patientId === patients.ingrid.id && a.status === 'BOOKED'
        && Date.parse(a.end) > Date.parse(filter.from) && Date.parse(a.start) < Date.parse(filter.to)));
      expect((await q(filter)).nodes.length).toBeGreaterThan(0);
    });
  });

  describe('cursor pagination', () => {
    /** Follows endCursor page by page; answers the pages. */
    async function pages(filter: Record<string, unknown>, first: number): Promise<Array<Page<AppointmentData>>> {
      const result: Array<Page<AppointmentData>> = [];
      let after: string | null = null;
      for (let guard = 0; guard < 100; guard++) {
        const page: Page<AppointmentData> = await q(filter, first, after);
        result.push(page);
        if (!page.pageInfo.hasNextPage) return result;
        expect(page.pageInfo.endCursor).toEqual(expect.any(String));
        after = page.pageInfo.endCursor;
      }
      throw new Error('pagination does not end');
    }

    it.each([1, 2, 3, 5, 11, 12])('walks all appointments with first: %i, without duplicates or gaps', async (first) => {
      const walked = await pages({}, first);
      const flat = walked.flatMap((page) => ids(page.nodes));
      expect(flat).toEqual(ids([...all].sort(byStartThenId)));
      expect(new Set(flat).size).toBe(flat.length);
      expect(walked).toHaveLength(Math.max(1, Math.ceil(all.length / first)));
      for (const page of walked.slice(0, -1)) expect(page.nodes).toHaveLength(first);
      expect(walked.at(-1)!.pageInfo.hasNextPage).toBe(false);
    });

    it('breaks ties between equal starts by id, across page boundaries', async () => {
      const tieIds = ids([...tie].sort(byStartThenId));
      const walked = await pages({ from: tie[0]!.start, to: tie[0]!.end }, 1);
      expect(walked.flatMap((page) => ids(page.nodes))).toEqual(tieIds);
    });

    it('pages through a filtered list', async () => {
      const filter = { centreId: north.centreId, statuses: ['BOOKED', 'CONFIRMED'] };
      const walked = await pages(filter, 2);
      expect(walked.flatMap((page) => ids(page.nodes))).toEqual(ids((await q(filter)).nodes));
    });

    it('neither repeats nor skips rows when an earlier appointment is booked between two pages (keyset, not offset)', async () => {
      const first = await q({ centreId: south.centreId }, 2);
      expect(first.pageInfo.hasNextPage).toBe(true);
      const before = ids((await q({ centreId: south.centreId })).nodes);
      const early = await bookOk(app, scheduler.token, { scheduleId: south.scheduleIds[0], serviceId: serviceSouth, start: localAt(1, 8), patientId: patients.sven.id });
      try {
        const second = await q({ centreId: south.centreId }, 100, first.pageInfo.endCursor);
        expect([...ids(first.nodes), ...ids(second.nodes)]).toEqual(before);
      } finally {
        await cancel(app, scheduler.token, { appointmentId: early.id, reasonCode: 'PATIENT_REQUEST', idempotencyKey: key() });
        all = (await allAppointments(app, scheduler.token)).nodes;
      }
    });

    it('answers a forged cursor with BAD_USER_INPUT naming `after`', async () => {
      for (const after of FORGED_CURSORS) {
        const response = await gql(app, APPOINTMENTS, { filter: {}, first: 5, after }, scheduler.token);
        expect(errorCode(response)).toBe('BAD_USER_INPUT');
        expect(response.errors![0]!.extensions!.fields).toEqual([{ field: 'after', problems: [expect.any(String)] }]);
      }
    });

    it('answers forged cursors of the other lists with BAD_USER_INPUT too (users by instant; patients and centres by text)', async () => {
      // A text-keyed list takes any text as its sort key ("yesterday" is one): only the shape and the id can be wrong.
      const malformed = FORGED_CURSORS.filter((after) => !/^\["(yesterday|\d{4}-)/.test(Buffer.from(after, 'base64url').toString()));
      const lists: Array<[string, readonly string[]]> = [
        ['query($after: String) { users(first: 5, after: $after) { nodes { id } } }', FORGED_CURSORS],
        ['query($after: String) { patients(search: "a", first: 5, after: $after) { nodes { id } } }', malformed],
        ['query($after: String) { centres(first: 5, after: $after) { nodes { id } } }', malformed],
      ];
      for (const [query, cursors] of lists) {
        for (const after of cursors) {
          const response = await gql(app, query, { after }, tenant.adminToken);
          expect({ query, after, code: errorCode(response), fields: response.errors?.[0]?.extensions?.fields })
            .toEqual({ query, after, code: 'BAD_USER_INPUT', fields: [{ field: 'after', problems: [expect.any(String)] }] });
        }
      }
    });

    it.each([0, -1, 1001])('answers first: %i with BAD_USER_INPUT naming `first` (an agenda page holds at most 1,000)', async (first) => {
      // The page's ids only: a larger selection of 1,001 rows would be refused by its cost before its arguments are read.
      const response = await gql(app, 'query($first: Int!) { appointments(first: $first) { nodes { id } } }', { first }, scheduler.token);
      expect(errorCode(response)).toBe('BAD_USER_INPUT');
      expect(response.errors![0]!.extensions!.fields).toEqual([{ field: 'first', problems: [expect.any(String)] }]);
    });
  });

  describe('patients(search)', () => {
    let people: Record<string, PatientData>;
    const create = async (familyName: string, givenName: string, personalIdentityNumber?: string) =>
      (await createPatient(app, scheduler.token, { familyName, givenName, personalIdentityNumber })).data!.createPatient;

    beforeAll(async () => {
      people = {
        lundIngrid: await create('Lund', 'Ingrid', '19790101-1234'),
        lundIngmar: await create('Lund', 'Ingmar'),
        lundErik: await create('Lund', 'Erik'),
        lundqvist: await create('Lundqvist', 'Karin', '19790101-12345'),
        aberg: await create('Åberg', 'Åsa'),
        percent: await create('Pro%cent', 'Anna'),
        underscore: await create('Un_der', 'Bo'),
        lundgren: await create('Berg', 'Lundgren'),
      };
    });

    const search = async (term: string) => ids(await searchPatients(app, scheduler.token, term, 100));

    it('finds by family-name prefix, case-insensitively, ordered by family then given name', async () => {
      const expectedLund = ids([people.lundErik!, people.lundIngmar!, people.lundIngrid!, people.lundqvist!]);
      expect((await search('Lund')).filter((id) => id !== people.lundgren!.id)).toEqual(expectedLund);
      expect((await search('lund')).filter((id) => id !== people.lundgren!.id)).toEqual(expectedLund);
      expect(await search('LUNDQ')).toEqual([people.lundqvist!.id]);
      // A given-name prefix matches too.
      expect(await search('Lundgren')).toEqual([people.lundgren!.id]);
    });

    it('finds by "family given" prefix', async () => {
      expect(await search('Lund Ing')).toEqual(ids([people.lundIngmar!, people.lundIngrid!]));
      expect(await search('Lund Ingr')).toEqual([people.lundIngrid!.id]);
      expect(await search('  Lund Ingr  ')).toEqual([people.lundIngrid!.id]);
    });

    it('finds non-ASCII names case-insensitively', async () => {
      expect(await search('åberg')).toEqual([people.aberg!.id]);
      expect(await search('ÅBERG Å')).toEqual([people.aberg!.id]);
    });

    it('finds by the exact personal identity number only', async () => {
      expect(await search('19790101-1234')).toEqual([people.lundIngrid!.id]);
      expect(await search('19790101-12345')).toEqual([people.lundqvist!.id]);
      expect(await search('19790101-123')).toEqual([]);
      expect(await search('19790101')).toEqual([]);
    });

    it('treats % and _ literally, not as wildcards', async () => {
      expect(await search('Pro%')).toEqual([people.percent!.id]);
      expect(await search('%')).toEqual([]);
      expect(await search('Un_')).toEqual([people.underscore!.id]);
      expect(await search('_')).toEqual([]);
      expect(await search('L%nd')).toEqual([]);
    });

    it('answers nothing for a name nobody has', async () => {
      expect(await search('Zzyzx')).toEqual([]);
    });

    it('pages through the matches without duplicates or gaps', async () => {
      const everything = await search('Lund');
      for (const first of [1, 2, 3]) {
        const walked: string[] = [];
        let after: string | null = null;
        for (let guard = 0; guard < 50; guard++) {
          const data: { patients: Page<PatientData> } = await gqlOk(app, PATIENTS, { search: 'Lund', first, after }, scheduler.token);
          walked.push(...ids(data.patients.nodes));
          if (!data.patients.pageInfo.hasNextPage) break;
          after = data.patients.pageInfo.endCursor;
        }
        expect(walked).toEqual(everything);
      }
    });

    it('pages without gaps through names that lower-case differently in JavaScript and PostgreSQL (İ)', async () => {
      const ilhan = await create('Qyildiz', 'İlhan');
      const ilse = await create('Qyildiz', 'Ilse');
      const everything = await search('Qyildiz');
      expect(new Set(everything)).toEqual(new Set([ilhan.id, ilse.id]));
      const walked: string[] = [];
      let after: string | null = null;
      for (let guard = 0; guard < 10; guard++) {
        const data: { patients: Page<PatientData> } = await gqlOk(app, PATIENTS, { search: 'Qyildiz', first: 1, after }, scheduler.token);
        walked.push(...ids(data.patients.nodes));
        if (!data.patients.pageInfo.hasNextPage) break;
        after = data.patients.pageInfo.endCursor;
      }
      expect(walked).toEqual(everything);
    });

    it('answers an empty search with BAD_USER_INPUT naming `search`', async () => {
      const response = await gql(app, PATIENTS, { search: '', first: 10 }, scheduler.token);
      expect(errorCode(response)).toBe('BAD_USER_INPUT');
      expect(response.errors![0]!.extensions!.fields.map((f: { field: string }) => f.field)).toEqual(['search']);
    });

    it('does not list every patient for a blank search', async () => {
      const response = await gql(app, PATIENTS, { search: '   ', first: 100 }, scheduler.token);
      const found = response.data?.patients?.nodes ?? [];
      expect({ code: errorCode(response) ?? null, found: found.length }).toEqual({ code: errorCode(response) ?? null, found: 0 });
    });
  });

  describe('DataLoader: statements per request do not grow with the page', () => {
    const NESTED = 'query($first: Int!) { appointments(first: $first) { nodes { id patient { familyName } history { action } } } }';

    async function tenantWith(count: number): Promise<{ token: string }> {
      const owner = await createTenant(app);
      const staff = await createStaff(app, owner, ['SCHEDULER']);
      const centre = await createCentreWithSchedules(app, owner, { schedules: 3, openingHours: everyDay('08:00', '17:00'), services: [{ durationMinutes: 30 }] });
      const slots = new SlotAllocator(centre.scheduleIds, { firstDay: 2 });
      for (let index = 0; index < count; index++) {
        const appointment = await bookOk(app, staff.token, { ...slots.next(), serviceId: centre.serviceIds[0], newPatient: { familyName: `Load${index}`, givenName: 'Test' } });
        if (index % 3 === 0) await changeStatus(app, staff.token, { appointmentId: appointment.id, status: 'CONFIRMED' });
      }
      return { token: staff.token };
    }

    it('is the same for 1 and for 50 appointments with patient and history', async () => {
      const one = await tenantWith(1);
      const fifty = await tenantWith(50);
      const small = await gql(app, NESTED, { first: 50 }, one.token);
      const large = await gql(app, NESTED, { first: 50 }, fifty.token);
      expect(small.errors).toBeUndefined();
      expect(large.errors).toBeUndefined();
      expect(small.data!.appointments.nodes).toHaveLength(1);
      expect(large.data!.appointments.nodes).toHaveLength(50);
      expect(large.data!.appointments.nodes.every((n: { patient: { familyName: string } | null; history: unknown[] }) => n.patient?.familyName.startsWith('Load') && n.history.length >= 1)).toBe(true);
      expect(Number.isFinite(small.sqlStatements)).toBe(true);
      expect({ one: small.sqlStatements, fifty: large.sqlStatements }).toEqual({ one: small.sqlStatements, fifty: small.sqlStatements });
      // A list, one batch of patients, one batch of histories.
      expect(small.sqlStatements).toBeLessThanOrEqual(3);
    });
  });
});
