import { Client } from 'pg';
import { withPgClient } from '../../src/db/pg-client';
import { errorCode, gql, gqlOk, type GraphQLResponse } from '../helpers/graphql-client';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { createStaff, createTenant, type TestTenant } from '../factories/tenants';
import { createCentre, createCentreWithSchedules, everyDay, type CentreWithSchedules, type ExceptionSpec } from '../factories/catalog';

const CENTRE_FIELDS = 'id name timeZone hsaId offline address { street postalCode city country }';
const PRACTITIONER_FIELDS = 'id name qualifications dataSharingBanned';
const SERVICE_FIELDS = 'id code name durationMinutes requiredQualification';
const HOURS_FIELDS = 'weekday startTime endTime validFrom validUntil';
const EXCEPTION_FIELDS = 'id scheduleId kind startsLocal endsLocal reason';
const SCHEDULE_FIELDS = `id centreId practitionerId name slotMinutes active centre { id } practitioner { id } services { id }
  openingHours { ${HOURS_FIELDS} } exceptions { ${EXCEPTION_FIELDS} }`;

const M = {
  createCentre: `mutation($input: CreateCentreInput!) { createCentre(input: $input) { ${CENTRE_FIELDS} } }`,
  updateCentre: `mutation($input: UpdateCentreInput!) { updateCentre(input: $input) { ${CENTRE_FIELDS} } }`,
  createPractitioner: `mutation($input: CreatePractitionerInput!) { createPractitioner(input: $input) { ${PRACTITIONER_FIELDS} } }`,
  updatePractitioner: `mutation($input: UpdatePractitionerInput!) { updatePractitioner(input: $input) { ${PRACTITIONER_FIELDS} } }`,
  createService: `mutation($input: CreateServiceInput!) { createService(input: $input) { ${SERVICE_FIELDS} } }`,
  updateService: `mutation($input: UpdateServiceInput!) { updateService(input: $input) { ${SERVICE_FIELDS} } }`,
  createSchedule: `mutation($input: CreateScheduleInput!) { createSchedule(input: $input) { ${SCHEDULE_FIELDS} } }`,
  updateSchedule: `mutation($input: UpdateScheduleInput!) { updateSchedule(input: $input) { ${SCHEDULE_FIELDS} } }`,
  setOpeningHours: `mutation($input: SetOpeningHoursInput!) { setOpeningHours(input: $input) { ${SCHEDULE_FIELDS} } }`,
  addScheduleException: `mutation($input: AddScheduleExceptionInput!) { addScheduleException(input: $input) { ${EXCEPTION_FIELDS} } }`,
  removeScheduleException: `mutation($input: RemoveScheduleExceptionInput!) { removeScheduleException(input: $input) { ${EXCEPTION_FIELDS} } }`,
};
type MutationName = keyof typeof M;

/** Everything a tenant's catalog holds, read through the API: equal snapshots mean nothing changed. */
const CATALOG_SNAPSHOT = `{
  centres(first: 100) { nodes { ${CENTRE_FIELDS} schedules { ${SCHEDULE_FIELDS} } } }
  practitioners(first: 100) { nodes { ${PRACTITIONER_FIELDS} } }
  services(first: 100) { nodes { ${SERVICE_FIELDS} } }
}`;

const NESTED_CATALOG = `{ centres { nodes { schedules {
  centre { name } practitioner { name } services { code } openingHours { weekday } exceptions { kind }
} } } }`;

const MISSING_ID = '00000000-0000-4000-8000-000000000000';
const CHRISTMAS: ExceptionSpec = { kind: 'CLOSED', startsLocal: '2030-12-24T00:00', endsLocal: '2030-12-27T00:00', reason: 'Christmas' };

interface World {
  tenant: TestTenant;
  catalog: CentreWithSchedules;
  scheduleId: string;
  practitionerId: string;
  /** serviceCodes[i] is the code of catalog.serviceIds[i]. */
  serviceCodes: string[];
  exceptionId: string;
}

describe('catalog: centres, practitioners, services, schedules, hours and exceptions', () => {
  let app: TestServer;
  let own: World;
  let foreign: World;
  let staff: Record<'SCHEDULER' | 'VIEWER' | 'CLINIC_HEAD', string>;

  beforeAll(async () => {
    app = await startTestServer();
    own = await buildWorld();
    foreign = await buildWorld();
    staff = {
      SCHEDULER: (await createStaff(app, own.tenant, ['SCHEDULER'])).token,
      VIEWER: (await createStaff(app, own.tenant, ['VIEWER'])).token,
      CLINIC_HEAD: (await createStaff(app, own.tenant, ['CLINIC_HEAD'])).token,
    };
  });
  afterAll(() => app.close());

  async function buildWorld(): Promise<World> {
    const tenant = await createTenant(app);
    const catalog = await createCentreWithSchedules(app, tenant, {
      schedules: 1, services: [{ durationMinutes: 30 }, { durationMinutes: 60 }], qualifications: ['GP'], exceptions: [CHRISTMAS],
    });
    const read = await gqlOk(app, `query($id: ID!) { schedule(id: $id) { exceptions { id } services { id code } } }`, { id: catalog.scheduleIds[0] }, tenant.adminToken);
    const codeOf = new Map(read.schedule.services.map((s: { id: string; code: string }) => [s.id, s.code]));
    return {
      tenant, catalog, scheduleId: catalog.scheduleIds[0], practitionerId: catalog.practitionerIds[0],
      serviceCodes: catalog.serviceIds.map((id) => codeOf.get(id) as string), exceptionId: read.schedule.exceptions[0].id,
    };
  }

  const snapshot = (world: World) => gqlOk(app, CATALOG_SNAPSHOT, {}, world.tenant.adminToken);
  const auditCount = (world: World) =>
    withPgClient(app.databaseUrl, async (client) =>
      Number((await client.query('SELECT count(*) FROM audit_events WHERE tenant_id = $1', [world.tenant.tenantId])).rows[0].count));
  const mutate = (name: MutationName, input: Record<string, unknown>, token = own.tenant.adminToken) => gql(app, M[name], { input }, token);
  const ok = async (name: MutationName, input: Record<string, unknown>, token = own.tenant.adminToken) => {
    const response = await mutate(name, input, token);
    if (response.errors?.length) throw new Error(`${name} failed: ${JSON.stringify(response.errors)}`);
    return response.data![name];
  };

  describe('centres', () => {
    it('creates a centre, reads it back and updates it (offline switch, clearing, a new zone)', async () => {
      const created = await ok('createCentre', {
        name: 'Södermalm Clinic', timeZone: 'europe/stockholm', hsaId: 'SE2321000016-15CQ',
        address: { street: 'Götgatan 1', postalCode: '118 46', city: 'Stockholm', country: 'SE' },
      });
      expect(created).toEqual({
        id: expect.any(String), name: 'Södermalm Clinic', timeZone: 'Europe/Stockholm', hsaId: 'SE2321000016-15CQ', offline: false,
        address: { street: 'Götgatan 1', postalCode: '118 46', city: 'Stockholm', country: 'SE' },
      });
      expect((await gqlOk(app, `query($id: ID!) { centre(id: $id) { ${CENTRE_FIELDS} schedules { id } } }`, { id: created.id }, own.tenant.adminToken)).centre)
        .toEqual({ ...created, schedules: [] });

      const updated = await ok('updateCentre', { id: created.id, name: 'Södermalm', offline: true, hsaId: null, address: null });
      expect(updated).toEqual({ ...created, name: 'Södermalm', offline: true, hsaId: null, address: null });
      const moved = await ok('updateCentre', { id: created.id, timeZone: 'America/New_York' });
      expect(moved).toEqual({ ...updated, timeZone: 'America/New_York' });
    });

    it('pages through centres by name with opaque cursors', async () => {
      const tenant = await createTenant(app);
      for (const name of ['Eve', 'Bo', 'Dan', 'Ada', 'Cy']) await createCentre(app, tenant, { name });
      const names: string[] = [];
      let after: string | undefined;
      for (let page = 0; page < 3; page++) {
        const data = await gqlOk(app, 'query($after: String) { centres(first: 2, after: $after) { nodes { name } pageInfo { hasNextPage endCursor } } }', { after }, tenant.adminToken);
        names.push(...data.centres.nodes.map((c: { name: string }) => c.name));
        expect(data.centres.pageInfo.hasNextPage).toBe(page < 2);
        after = data.centres.pageInfo.endCursor;
      }
      expect(names).toEqual(['Ada', 'Bo', 'Cy', 'Dan', 'Eve']);
      const forged = await gql(app, '{ centres(after: "bm90LWEtY3Vyc29y") { nodes { id } } }', {}, tenant.adminToken);
      expect(errorCode(forged)).toBe('BAD_USER_INPUT');
      expect(forged.errors![0].extensions!.fields[0].field).toBe('after');
    });
  });

  describe('practitioners', () => {
    it('creates and updates practitioners and lists them by qualification', async () => {
      const tenant = await createTenant(app);
      const token = tenant.adminToken;
      const ann = await ok('createPractitioner', { name: 'Ann', qualifications: ['GP', 'RADIOLOGY'] }, token);
      expect(ann).toEqual({ id: expect.any(String), name: 'Ann', qualifications: ['GP', 'RADIOLOGY'], dataSharingBanned: false });
      const ben = await ok('createPractitioner', { name: 'Ben', dataSharingBanned: true }, token);
      expect(ben.qualifications).toEqual([]);
      const updated = await ok('updatePractitioner', { id: ben.id, qualifications: ['GP'], dataSharingBanned: false }, token);
      expect(updated).toEqual({ id: ben.id, name: 'Ben', qualifications: ['GP'], dataSharingBanned: false });

      const list = (qualification?: string, after?: string) => gqlOk(app,
        'query($q: String, $after: String) { practitioners(first: 1, qualification: $q, after: $after) { nodes { name } pageInfo { hasNextPage endCursor } } }',
        { q: qualification, after }, token);
      const radiology = await list('RADIOLOGY');
      expect(radiology.practitioners).toEqual({ nodes: [{ name: 'Ann' }], pageInfo: { hasNextPage: false, endCursor: expect.any(String) } });
      const firstGp = await list('GP');
      expect(firstGp.practitioners.nodes).toEqual([{ name: 'Ann' }]);
      expect(firstGp.practitioners.pageInfo.hasNextPage).toBe(true);
      const secondGp = await list('GP', firstGp.practitioners.pageInfo.endCursor);
      expect(secondGp.practitioners).toEqual({ nodes: [{ name: 'Ben' }], pageInfo: { hasNextPage: false, endCursor: expect.any(String) } });
    });
  });

  describe('services', () => {
    it('creates and updates services, lists them by code and keeps codes unique', async () => {
      const tenant = await createTenant(app);
      const token = tenant.adminToken;
      const xray = await ok('createService', { code: 'XRAY', name: 'X-ray', durationMinutes: 20, requiredQualification: 'RADIOLOGY' }, token);
      expect(xray).toEqual({ id: expect.any(String), code: 'XRAY', name: 'X-ray', durationMinutes: 20, requiredQualification: 'RADIOLOGY' });
      const check = await ok('createService', { code: 'CHECKUP', name: 'Check-up', durationMinutes: 45 }, token);
      const updated = await ok('updateService', { id: xray.id, name: 'Chest X-ray', durationMinutes: 720, requiredQualification: null }, token);
      expect(updated).toEqual({ ...xray, name: 'Chest X-ray', durationMinutes: 720, requiredQualification: null });
      expect(await ok('updateService', { id: xray.id, code: 'XRAY' }, token)).toEqual(updated);
      const list = await gqlOk(app, '{ services { nodes { code } } }', {}, token);
      expect(list.services.nodes).toEqual([{ code: 'CHECKUP' }, { code: 'XRAY' }]);
      // The same code in another tenant is fine.
      expect((await ok('createService', { code: 'XRAY', name: 'X-ray', durationMinutes: 20 })).code).toBe('XRAY');
      expect(check.requiredQualification).toBeNull();
    });
  });

  describe('schedules', () => {
    it('creates a schedule with services, practitioner and weekly hours, and reads it back', async () => {
      const { centreId, serviceIds } = own.catalog;
      const created = await ok('createSchedule', {
        centreId, practitionerId: own.practitionerId, name: 'Room 2', slotMinutes: 20, serviceIds,
        openingHours: [
          { weekday: 1, startTime: '08:00', endTime: '12:00', validFrom: '2030-01-01', validUntil: '2030-06-30' },
          { weekday: 1, startTime: '12:00', endTime: '16:00', validFrom: '2030-01-01', validUntil: '2030-06-30' },
          { weekday: 1, startTime: '10:00', endTime: '24:00', validFrom: '2030-07-01' },
        ],
      });
      expect(created).toMatchObject({
        centreId, practitionerId: own.practitionerId, name: 'Room 2', slotMinutes: 20, active: true,
        centre: { id: centreId }, practitioner: { id: own.practitionerId }, exceptions: [],
        openingHours: [
          { weekday: 1, startTime: '08:00', endTime: '12:00', validFrom: '2030-01-01', validUntil: '2030-06-30' },
          { weekday: 1, startTime: '12:00', endTime: '16:00', validFrom: '2030-01-01', validUntil: '2030-06-30' },
          { weekday: 1, startTime: '10:00', endTime: '24:00', validFrom: '2030-07-01', validUntil: null },
        ],
      });
      expect(created.services.map((s: { id: string }) => s.id).sort()).toEqual([...serviceIds].sort());
      const read = await gqlOk(app, `query($id: ID!) { schedule(id: $id) { ${SCHEDULE_FIELDS} } }`, { id: created.id }, own.tenant.adminToken);
      expect(read.schedule).toEqual(created);
      const bare = await ok('createSchedule', { centreId, name: 'Walk-in', slotMinutes: 5, serviceIds: [serviceIds[0]] });
      expect(bare).toMatchObject({ practitionerId: null, practitioner: null, openingHours: [], services: [{ id: serviceIds[0] }] });
    });

    it('pages through the schedules of a centre by name', async () => {
      const tenant = await createTenant(app);
      const catalog = await createCentreWithSchedules(app, tenant, { schedules: 3, practitioners: false });
      await createCentreWithSchedules(app, tenant, { schedules: 2 });
      const first = await gqlOk(app, 'query($c: ID!) { schedules(centreId: $c, first: 2) { nodes { id name } pageInfo { hasNextPage endCursor } } }', { c: catalog.centreId }, tenant.adminToken);
      expect(first.schedules.nodes.map((s: { name: string }) => s.name)).toEqual(['Schedule 1', 'Schedule 2']);
      expect(first.schedules.pageInfo.hasNextPage).toBe(true);
      const rest = await gqlOk(app, 'query($c: ID!, $a: String) { schedules(centreId: $c, first: 2, after: $a) { nodes { id name } pageInfo { hasNextPage } } }',
        { c: catalog.centreId, a: first.schedules.pageInfo.endCursor }, tenant.adminToken);
      expect(rest.schedules).toEqual({ nodes: [{ id: catalog.scheduleIds[2], name: 'Schedule 3' }], pageInfo: { hasNextPage: false } });
    });

    it('updates a schedule: name, slot, practitioner (set and cleared), the whole service set, active', async () => {
      const tenant = await createTenant(app);
      const catalog = await createCentreWithSchedules(app, tenant, { services: [{ durationMinutes: 15 }, { durationMinutes: 30 }, { durationMinutes: 45 }] });
      const [scheduleId] = catalog.scheduleIds;
      const token = tenant.adminToken;
      const renamed = await ok('updateSchedule', { id: scheduleId, name: 'Renamed', slotMinutes: 480, serviceIds: [catalog.serviceIds[2]], active: false }, token);
      expect(renamed).toMatchObject({ name: 'Renamed', slotMinutes: 480, active: false, practitionerId: catalog.practitionerIds[0], services: [{ id: catalog.serviceIds[2] }] });
      const cleared = await ok('updateSchedule', { id: scheduleId, practitionerId: null }, token);
      expect(cleared).toMatchObject({ name: 'Renamed', practitionerId: null, practitioner: null, services: [{ id: catalog.serviceIds[2] }] });
      const other = await ok('createPractitioner', { name: 'Other' }, token);
      expect(await ok('updateSchedule', { id: scheduleId, practitionerId: other.id }, token)).toMatchObject({ practitioner: { id: other.id } });
    });

    it('replaces the weekly hours as a whole, and accepts an empty week', async () => {
      const tenant = await createTenant(app);
      const { scheduleIds: [scheduleId] } = await createCentreWithSchedules(app, tenant);
      const hours = [
        { weekday: 7, startTime: '10:00', endTime: '14:00', validFrom: '2030-01-01', validUntil: null },
        { weekday: 3, startTime: '13:00', endTime: '17:30', validFrom: '2030-01-01', validUntil: '2030-12-31' },
        { weekday: 3, startTime: '08:00', endTime: '12:00', validFrom: '2030-01-01', validUntil: null },
      ];
      const replaced = await ok('setOpeningHours', { scheduleId, hours }, tenant.adminToken);
      expect(replaced.openingHours).toEqual([hours[2], hours[1], hours[0]]);
      expect((await ok('setOpeningHours', { scheduleId, hours: [] }, tenant.adminToken)).openingHours).toEqual([]);
    });

    it('answers each of several changes in one document with what that change wrote', async () => {
      const tenant = await createTenant(app);
      const { scheduleIds: [scheduleId], serviceIds } = await createCentreWithSchedules(app, tenant, { services: [{ durationMinutes: 15 }, { durationMinutes: 30 }] });
      const block = (startTime: string, endTime: string) => ({ weekday: 2, startTime, endTime, validFrom: '2030-01-01' });
      const data = await gqlOk(app, `mutation($s: ID!, $a: [ID!]!, $b: [ID!]!, $h1: [OpeningHoursInput!]!, $h2: [OpeningHoursInput!]!) {
        first: setOpeningHours(input: { scheduleId: $s, hours: $h1 }) { openingHours { startTime } exceptions { id } }
        second: setOpeningHours(input: { scheduleId: $s, hours: $h2 }) { openingHours { startTime } }
        one: updateSchedule(input: { id: $s, serviceIds: $a }) { services { id } }
        other: updateSchedule(input: { id: $s, serviceIds: $b }) { services { id } }
        added: addScheduleException(input: { scheduleId: $s, kind: CLOSED, startsLocal: "2030-01-01T00:00", endsLocal: "2030-01-02T00:00" }) { id }
        after: updateSchedule(input: { id: $s }) { exceptions { id } }
      }`, { s: scheduleId, a: [serviceIds[0]], b: [serviceIds[1]], h1: [block('08:00', '09:00')], h2: [block('10:00', '11:00')] }, tenant.adminToken);
      expect(data.first.exceptions).toEqual([]);
      expect(data.first.openingHours).toEqual([{ startTime: '08:00' }]);
      expect(data.second.openingHours).toEqual([{ startTime: '10:00' }]);
      expect(data.one.services).toEqual([{ id: serviceIds[0] }]);
      expect(data.other.services).toEqual([{ id: serviceIds[1] }]);
      expect(data.after.exceptions).toEqual([{ id: data.added.id }]);
    });

    it('adds and removes schedule exceptions', async () => {
      const tenant = await createTenant(app);
      const { scheduleIds: [scheduleId] } = await createCentreWithSchedules(app, tenant);
      const extra = await ok('addScheduleException', { scheduleId, kind: 'EXTRA_HOURS', startsLocal: '2030-03-02T09:00', endsLocal: '2030-03-02T13:00' }, tenant.adminToken);
      expect(extra).toEqual({ id: expect.any(String), scheduleId, kind: 'EXTRA_HOURS', startsLocal: '2030-03-02T09:00', endsLocal: '2030-03-02T13:00', reason: null });
      const closed = await ok('addScheduleException', { scheduleId, ...CHRISTMAS }, tenant.adminToken);
      const read = async () => (await gqlOk(app, `query($id: ID!) { schedule(id: $id) { exceptions { ${EXCEPTION_FIELDS} } } }`, { id: scheduleId }, tenant.adminToken)).schedule.exceptions;
      expect(await read()).toEqual([extra, closed]);
      expect(await ok('removeScheduleException', { id: extra.id }, tenant.adminToken)).toEqual(extra);
      expect(await read()).toEqual([closed]);
      expect(errorCode(await mutate('removeScheduleException', { id: extra.id }, tenant.adminToken))).toBe('NOT_FOUND');
    });

    it('writes an audit record for every change', async () => {
      const tenant = await createTenant(app);
      const catalog = await createCentreWithSchedules(app, tenant, { exceptions: [CHRISTMAS] });
      const token = tenant.adminToken;
      const [scheduleId] = catalog.scheduleIds;
      await ok('updateCentre', { id: catalog.centreId, offline: true }, token);
      await ok('updatePractitioner', { id: catalog.practitionerIds[0], name: 'Renamed' }, token);
      await ok('updateService', { id: catalog.serviceIds[0], name: 'Renamed' }, token);
      await ok('updateSchedule', { id: scheduleId, name: 'Renamed' }, token);
      await ok('setOpeningHours', { scheduleId, hours: [] }, token);
      const exception = await ok('addScheduleException', { scheduleId, ...CHRISTMAS }, token);
      await ok('removeScheduleException', { id: exception.id }, token);
      const actions = await withPgClient(app.databaseUrl, async (client) =>
        (await client.query('SELECT DISTINCT action FROM audit_events WHERE tenant_id = $1 ORDER BY action', [tenant.tenantId])).rows.map((r) => r.action));
      expect(actions).toEqual(expect.arrayContaining([
        'centre.created', 'centre.updated', 'practitioner.created', 'practitioner.updated', 'schedule-exception.added',
        'schedule-exception.removed', 'schedule.created', 'schedule.opening-hours-set', 'schedule.updated', 'service.created', 'service.updated',
      ]));
    });
  });

  describe('agenda events', () => {
    let listener: Client;
    const events: Array<{ topic: string; payload: Record<string, string> }> = [];
    const waiters: Array<() => void> = [];
    // Events of earlier tests may still be on their way: only the watched tenant's count.
    let watchedTenant: string | undefined;

    beforeAll(async () => {
      listener = new Client({ connectionString: app.databaseUrl });
      await listener.connect();
      listener.on('notification', (message) => {
        const envelope = JSON.parse(message.payload!) as { topic: string; payload: Record<string, string> };
        if (envelope.topic !== 'agenda.changed' || envelope.payload.tenantId !== watchedTenant) return;
        events.push(envelope);
        waiters.shift()?.();
      });
      await listener.query('LISTEN careslot_events');
    });
    afterAll(() => listener.end());

    async function nextEvent(): Promise<Record<string, string>> {
      if (events.length === 0) await new Promise<void>((resolve) => waiters.push(resolve));
      return events.shift()!.payload;
    }

    it('announces every schedule change after commit, and nothing for a refused one', async () => {
      const tenant = await createTenant(app);
      watchedTenant = tenant.tenantId;
      const catalog = await createCentreWithSchedules(app, tenant);
      const [scheduleId] = catalog.scheduleIds;
      const expected = { tenantId: tenant.tenantId, centreId: catalog.centreId, scheduleId, kind: 'SCHEDULE_CHANGED' };
      await nextEvent(); // the schedule's creation
      const token = tenant.adminToken;

      const changes: Array<[MutationName, Record<string, unknown>]> = [
        ['updateSchedule', { id: scheduleId, slotMinutes: 30 }],
        ['setOpeningHours', { scheduleId, hours: everyDay('09:00', '15:00').map((h) => ({ ...h, validFrom: '2030-01-01' })) }],
        ['addScheduleException', { scheduleId, ...CHRISTMAS }],
        ['updateCentre', { id: catalog.centreId, timeZone: 'Europe/Helsinki' }],
      ];
      for (const [name, input] of changes) {
        // A refused change first: if it announced anything, that would arrive before the real one.
        expect(errorCode(await mutate('setOpeningHours', { scheduleId: MISSING_ID, hours: [] }, token))).toBe('NOT_FOUND');
        const result = await ok(name, input, token);
        expect({ name, event: await nextEvent() }).toEqual({ name, event: expected });
        if (name === 'addScheduleException') {
          await ok('removeScheduleException', { id: result.id }, token);
          expect(await nextEvent()).toEqual(expected);
        }
      }
    });
  });

  describe('bad input is refused field by field and changes nothing', () => {
    const hours = (overrides: Record<string, unknown>) => ({ weekday: 1, startTime: '08:00', endTime: '12:00', validFrom: '2030-01-01', ...overrides });
    const cases: Array<[MutationName, () => Record<string, unknown>, string]> = [
      ['createCentre', () => ({ name: '', timeZone: 'Europe/Stockholm' }), 'input.name'],
      ['createCentre', () => ({ name: 'X', timeZone: 'Mars/Olympus_Mons' }), 'input.timeZone'],
      ['createCentre', () => ({ name: 'X', timeZone: 'UTC', hsaId: 'SE232100001615CQ' }), 'input.hsaId'],
      ['createCentre', () => ({ name: 'X', timeZone: 'UTC', address: { city: 'Lund', country: 'SWE' } }), 'input.address.country'],
      ['updateCentre', () => ({ id: own.catalog.centreId, timeZone: 'Not/AZone' }), 'input.timeZone'],
      ['updateCentre', () => ({ id: own.catalog.centreId, name: null }), 'input.name'],
      ['updateCentre', () => ({ id: own.catalog.centreId, hsaId: 'SE2321000016-' }), 'input.hsaId'],
      ['createPractitioner', () => ({ name: 'X', qualifications: ['GP', 'GP'] }), 'input.qualifications'],
      ['createPractitioner', () => ({ name: 'X', qualifications: ['x'.repeat(51)] }), 'input.qualifications'],
      ['updatePractitioner', () => ({ id: own.practitionerId, qualifications: ['A', 'A'] }), 'input.qualifications'],
      ['updatePractitioner', () => ({ id: own.practitionerId, dataSharingBanned: null }), 'input.dataSharingBanned'],
      ['createService', () => ({ code: 'NEW', name: 'X', durationMinutes: 4 }), 'input.durationMinutes'],
      ['createService', () => ({ code: 'NEW', name: 'X', durationMinutes: 721 }), 'input.durationMinutes'],
      ['createService', () => ({ code: own.serviceCodes[0], name: 'X', durationMinutes: 30 }), 'input.code'],
      ['createService', () => ({ code: 'has space', name: 'X', durationMinutes: 30 }), 'input.code'],
      ['updateService', () => ({ id: own.catalog.serviceIds[0], code: own.serviceCodes[1] }), 'input.code'],
      ['updateService', () => ({ id: own.catalog.serviceIds[0], durationMinutes: 0 }), 'input.durationMinutes'],
      ['createSchedule', () => ({ centreId: own.catalog.centreId, name: 'X', slotMinutes: 4, serviceIds: own.catalog.serviceIds }), 'input.slotMinutes'],
      ['createSchedule', () => ({ centreId: own.catalog.centreId, name: 'X', slotMinutes: 481, serviceIds: own.catalog.serviceIds }), 'input.slotMinutes'],
      ['createSchedule', () => ({ centreId: own.catalog.centreId, name: 'X', slotMinutes: 15, serviceIds: [] }), 'input.serviceIds'],
      ['createSchedule', () => ({
        centreId: own.catalog.centreId, name: 'X', slotMinutes: 15, serviceIds: own.catalog.serviceIds,
        openingHours: [hours({}), hours({ startTime: '11:00', endTime: '13:00', validFrom: '2029-01-01', validUntil: '2030-01-01' })],
      }), 'input.openingHours[1]'],
      ['createSchedule', () => ({
        centreId: own.catalog.centreId, name: 'X', slotMinutes: 15, serviceIds: own.catalog.serviceIds, openingHours: [hours({ endTime: '08:00' })],
      }), 'input.openingHours[0].endTime'],
      ['updateSchedule', () => ({ id: own.scheduleId, slotMinutes: 481 }), 'input.slotMinutes'],
      ['updateSchedule', () => ({ id: own.scheduleId, serviceIds: [] }), 'input.serviceIds'],
      ['updateSchedule', () => ({ id: own.scheduleId, name: null }), 'input.name'],
      ['setOpeningHours', () => ({ scheduleId: own.scheduleId, hours: [hours({}), hours({ weekday: 2 }), hours({ startTime: '11:59', endTime: '12:01' })] }), 'input.hours[2]'],
      ['setOpeningHours', () => ({ scheduleId: own.scheduleId, hours: [hours({ weekday: 0 })] }), 'input.hours[0].weekday'],
      ['setOpeningHours', () => ({ scheduleId: own.scheduleId, hours: [hours({ startTime: '8:00' })] }), 'input.hours[0].startTime'],
      ['setOpeningHours', () => ({ scheduleId: own.scheduleId, hours: [hours({ startTime: '24:00', endTime: '24:00' })] }), 'input.hours[0].startTime'],
      ['setOpeningHours', () => ({ scheduleId: own.scheduleId, hours: [hours({ startTime: '12:00' })] }), 'input.hours[0].endTime'],
      ['setOpeningHours', () => ({ scheduleId: own.scheduleId, hours: [hours({ validUntil: '2029-12-31' })] }), 'input.hours[0].validUntil'],
      ['setOpeningHours', () => ({ scheduleId: own.scheduleId, hours: [hours({ validFrom: '2030-02-30' })] }), 'input.hours[0].validFrom'],
      ['addScheduleException', () => ({ scheduleId: own.scheduleId, kind: 'CLOSED', startsLocal: '2030-05-01T12:00', endsLocal: '2030-05-01T11:00' }), 'input.endsLocal'],
      ['addScheduleException', () => ({ scheduleId: own.scheduleId, kind: 'CLOSED', startsLocal: '2030-13-01T10:00', endsLocal: '2030-12-01T11:00' }), 'input.startsLocal'],
      ['addScheduleException', () => ({ scheduleId: own.scheduleId, kind: 'CLOSED', startsLocal: '2030-05-01T10:00Z', endsLocal: '2030-05-01T11:00' }), 'input.startsLocal'],
      ['removeScheduleException', () => ({ id: 'not-an-id' }), 'input.id'],
    ];

    it.each(cases)('%s refuses bad input on %#', async (name, input, field) => {
      const before = await snapshot(own);
      const audits = await auditCount(own);
      const response = await mutate(name, input());
      expect(errorCode(response)).toBe('BAD_USER_INPUT');
      expect(response.errors![0].extensions!.fields.map((f: { field: string }) => f.field)).toContain(field);
      expect(response.data?.[name] ?? null).toBeNull();
      expect(await snapshot(own)).toEqual(before);
      expect(await auditCount(own)).toBe(audits);
    });
  });

  describe('roles', () => {
    const validInputs = (): Array<[MutationName, Record<string, unknown>]> => [
      ['createCentre', { name: 'X', timeZone: 'UTC' }],
      ['updateCentre', { id: own.catalog.centreId, offline: true }],
      ['createPractitioner', { name: 'X' }],
      ['updatePractitioner', { id: own.practitionerId, name: 'X' }],
      ['createService', { code: 'ROLE-TEST', name: 'X', durationMinutes: 30 }],
      ['updateService', { id: own.catalog.serviceIds[0], name: 'X' }],
      ['createSchedule', { centreId: own.catalog.centreId, name: 'X', slotMinutes: 15, serviceIds: own.catalog.serviceIds }],
      ['updateSchedule', { id: own.scheduleId, active: false }],
      ['setOpeningHours', { scheduleId: own.scheduleId, hours: [] }],
      ['addScheduleException', { scheduleId: own.scheduleId, ...CHRISTMAS }],
      ['removeScheduleException', { id: own.exceptionId }],
    ];

    it.each(['SCHEDULER', 'VIEWER', 'CLINIC_HEAD'] as const)('lets a %s read the catalog but configure nothing', async (role) => {
      const before = await snapshot(own);
      expect(await gqlOk(app, CATALOG_SNAPSHOT, {}, staff[role])).toEqual(before);
      const reads = await gqlOk(app, 'query($c: ID!, $s: ID!) { centre(id: $c) { id } schedule(id: $s) { id } schedules(centreId: $c) { nodes { id } } }',
        { c: own.catalog.centreId, s: own.scheduleId }, staff[role]);
      expect(reads.schedule.id).toBe(own.scheduleId);
      for (const [name, input] of validInputs()) {
        const response = await mutate(name, input, staff[role]);
        expect({ name, code: errorCode(response) }).toEqual({ name, code: 'FORBIDDEN' });
      }
      expect(await snapshot(own)).toEqual(before);
    });
  });

  describe('tenant isolation', () => {
    const probes: Array<[string, () => Promise<GraphQLResponse>]> = [
      ['centre', () => gql(app, 'query($id: ID!) { centre(id: $id) { id } }', { id: foreign.catalog.centreId }, own.tenant.adminToken)],
      ['schedules', () => gql(app, 'query($id: ID!) { schedules(centreId: $id) { nodes { id } } }', { id: foreign.catalog.centreId }, own.tenant.adminToken)],
      ['schedule', () => gql(app, 'query($id: ID!) { schedule(id: $id) { id } }', { id: foreign.scheduleId }, own.tenant.adminToken)],
      ['updateCentre', () => mutate('updateCentre', { id: foreign.catalog.centreId, name: 'Taken over', offline: true })],
      ['updatePractitioner', () => mutate('updatePractitioner', { id: foreign.practitionerId, qualifications: [] })],
      ['updateService', () => mutate('updateService', { id: foreign.catalog.serviceIds[0], durationMinutes: 5 })],
      ['createSchedule (centre)', () => mutate('createSchedule', { centreId: foreign.catalog.centreId, name: 'X', slotMinutes: 15, serviceIds: own.catalog.serviceIds })],
      ['createSchedule (practitioner)', () => mutate('createSchedule', {
        centreId: own.catalog.centreId, practitionerId: foreign.practitionerId, name: 'X', slotMinutes: 15, serviceIds: own.catalog.serviceIds,
      })],
      ['createSchedule (service)', () => mutate('createSchedule', {
        centreId: own.catalog.centreId, name: 'X', slotMinutes: 15, serviceIds: [own.catalog.serviceIds[0], foreign.catalog.serviceIds[0]],
      })],
      ['updateSchedule', () => mutate('updateSchedule', { id: foreign.scheduleId, active: false })],
      ['updateSchedule (practitioner)', () => mutate('updateSchedule', { id: own.scheduleId, practitionerId: foreign.practitionerId })],
      ['updateSchedule (services)', () => mutate('updateSchedule', { id: own.scheduleId, serviceIds: foreign.catalog.serviceIds })],
      ['setOpeningHours', () => mutate('setOpeningHours', { scheduleId: foreign.scheduleId, hours: [] })],
      ['addScheduleException', () => mutate('addScheduleException', { scheduleId: foreign.scheduleId, ...CHRISTMAS })],
      ['removeScheduleException', () => mutate('removeScheduleException', { id: foreign.exceptionId })],
      ['updateCentre (missing id)', () => mutate('updateCentre', { id: MISSING_ID, offline: true })],
      ['setOpeningHours (missing id)', () => mutate('setOpeningHours', { scheduleId: MISSING_ID, hours: [] })],
    ];

    it.each(probes)('answers NOT_FOUND for another tenant\'s ids: %s', async (_name, probe) => {
      const foreignBefore = await snapshot(foreign);
      const ownBefore = await snapshot(own);
      const response = await probe();
      expect(errorCode(response)).toBe('NOT_FOUND');
      expect(response.data ?? null).toBeNull();
      expect(await snapshot(foreign)).toEqual(foreignBefore);
      expect(await snapshot(own)).toEqual(ownBefore);
    });

    it('lists only the caller\'s own rows', async () => {
      const seen = JSON.stringify(await snapshot(own));
      for (const id of [foreign.catalog.centreId, foreign.scheduleId, foreign.practitionerId, foreign.exceptionId, ...foreign.catalog.serviceIds]) {
        expect(seen).not.toContain(id);
      }
    });
  });

  describe('nested fields through per-request loaders', () => {
    it('reads the same number of statements for 1 centre × 1 schedule as for 5 centres × 10 schedules', async () => {
      const options = { exceptions: [CHRISTMAS], services: [{ durationMinutes: 30 }, { durationMinutes: 45 }] };
      const small = await createTenant(app);
      await createCentreWithSchedules(app, small, { ...options, schedules: 1 });
      const large = await createTenant(app);
      for (let centre = 0; centre < 5; centre++) await createCentreWithSchedules(app, large, { ...options, schedules: 10 });

      const smallResponse = await gql(app, NESTED_CATALOG, {}, small.adminToken);
      const largeResponse = await gql(app, NESTED_CATALOG, {}, large.adminToken);
      expect(smallResponse.errors).toBeUndefined();
      expect(largeResponse.errors).toBeUndefined();
      const schedules = largeResponse.data!.centres.nodes.flatMap((c: { schedules: unknown[] }) => c.schedules);
      expect(schedules).toHaveLength(50);
      expect(schedules.every((s: { practitioner: unknown; services: unknown[]; openingHours: unknown[]; exceptions: unknown[] }) =>
        s.practitioner && s.services.length === 2 && s.openingHours.length === 7 && s.exceptions.length === 1)).toBe(true);
      expect(largeResponse.sqlStatements).toBe(smallResponse.sqlStatements);
      // centres, schedules, practitioners, services, opening hours, exceptions (the centres come primed).
      expect(largeResponse.sqlStatements).toBeLessThanOrEqual(6);
    });
  });
});
