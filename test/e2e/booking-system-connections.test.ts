import { errorCode, gql, gqlOk } from '../helpers/graphql-client';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { createCentre } from '../factories/catalog';
import { createShareOk } from '../factories/sharing';
import { createStaff, createTenant, type TestTenant } from '../factories/tenants';
import { createCentreWithSchedules } from '../factories/catalog';
import { eventually, memoryLogger } from '../support/federation';
import {
  FHIR_DEPARTMENT, FHIR_KEY, FHIR_SCHEDULE, SMART_LOCATION, startBookingSystemServers, type BookingSystemServers,
} from '../support/booking-system-servers';

/**
 * Seed 004 from outside: an ADMIN connects a centre to the booking system that holds its agenda,
 * against small real servers speaking FHIR R4 and SMART Scheduling Links, and a second careslot
 * server. Every typed problem is produced for real; the attempt limiter is the share links' one.
 */
const RESULT = 'ok remoteName problem { code field message } connection { centreId system externalId externalDepartmentId bookingUrl apiKeyLast4 linkId remoteName status }';
const TEST = `mutation($input: BookingSystemConnectionInput!) { testBookingSystemConnection(input: $input) { ${RESULT} } }`;
const SAVE = `mutation($input: BookingSystemConnectionInput!) { testAndSaveBookingSystemConnection(input: $input) { ${RESULT} } }`;
const CONNECTION = `query($centreId: ID!) { bookingSystemConnection(centreId: $centreId) { system externalId apiKeyLast4 bookingUrl status remoteName } }`;

interface ResultData {
  ok: boolean;
  remoteName: string | null;
  problem: { code: string; field: string | null; message: string } | null;
  connection: Record<string, unknown> | null;
}

describe('booking-system connections (seed 004)', () => {
  const log = memoryLogger();
  let app: TestServer;
  let impatient: TestServer;
  let systems: BookingSystemServers;
  let tenant: TestTenant;
  let centreId: string;

  beforeAll(async () => {
    systems = await startBookingSystemServers();
    app = await startTestServer({ logger: log.logger, config: { PEER_MAX_RESPONSE_BYTES: 64 * 1024 } });
    impatient = await startTestServer({ databaseUrl: app.databaseUrl, config: { PEER_TIMEOUT_MS: 400 } });
    tenant = await createTenant(app);
    centreId = await createCentre(app, tenant, { name: 'Oslo Sentrum' });
  });
  afterAll(async () => {
    await impatient?.close();
    await app?.close();
    await systems?.close();
  });

  /** A fresh ADMIN each time a test fails on purpose: attempts are counted per user. */
  const freshAdmin = async () => (await createStaff(app, tenant, ['ADMIN'])).token;
  const fhir = (fields: Record<string, string | undefined> = {}) => ({
    centreId, system: 'FHIR_R4', bookingUrl: `${systems.url}/fhir`, externalId: FHIR_SCHEDULE, externalDepartmentId: FHIR_DEPARTMENT, apiKey: FHIR_KEY, ...fields,
  });
  const testOn = async (input: Record<string, unknown>, token: string, server = app) =>
    (await gqlOk<{ testBookingSystemConnection: ResultData }>(server, TEST, { input }, token)).testBookingSystemConnection;

  it('lists the systems with the fields each needs and which are secret, and writes the request details for the vendor', async () => {
    const data = await gqlOk<{ bookingSystems: Array<{ code: string; fields: Array<{ field: string; required: boolean; secret: boolean }> }> }>(
      app, '{ bookingSystems { code name protocol usedFor fields { field required secret description } } }', {}, tenant.adminToken);
    expect(data.bookingSystems.map((system) => system.code)).toEqual(['CARESLOT', 'FHIR_R4', 'SMART_SCHEDULING_LINKS']);
    const fhirFields = data.bookingSystems[1].fields;
    expect(fhirFields.find((field) => field.field === 'apiKey')).toMatchObject({ required: true, secret: true });
    expect(fhirFields.find((field) => field.field === 'externalDepartmentId')).toMatchObject({ required: false });
    expect(data.bookingSystems[2].fields.map((field) => field.field).sort()).toEqual(['bookingUrl', 'externalId']);

    const text = (await gqlOk<{ bookingSystemRequestDetails: string }>(app, 'query($centreId: ID!) { bookingSystemRequestDetails(centreId: $centreId, system: SMART_SCHEDULING_LINKS) }', { centreId }, tenant.adminToken)).bookingSystemRequestDetails;
    expect(text).toContain('Oslo Sentrum');
    expect(text).toContain(centreId);
    expect(text).toContain('Booking URL');
    expect(text).not.toContain('API key');
  });

  it('FHIR R4: success names the schedule; test and save stores it, the key never shown but its last four', async () => {
    expect(await testOn(fhir(), tenant.adminToken)).toMatchObject({ ok: true, remoteName: 'Fysioterapi Sentrum', problem: null });
    const saved = (await gqlOk<{ testAndSaveBookingSystemConnection: ResultData }>(app, SAVE, { input: fhir() }, tenant.adminToken)).testAndSaveBookingSystemConnection;
    expect(saved).toMatchObject({ ok: true, connection: { system: 'FHIR_R4', externalId: FHIR_SCHEDULE, apiKeyLast4: FHIR_KEY.slice(-4), status: 'OK' } });
    const read = await gqlOk<{ bookingSystemConnection: Record<string, unknown> }>(app, CONNECTION, { centreId }, tenant.adminToken);
    expect(read.bookingSystemConnection).toMatchObject({ system: 'FHIR_R4', apiKeyLast4: FHIR_KEY.slice(-4) });
    expect(JSON.stringify([saved, read])).not.toContain(FHIR_KEY);
    expect(log.text()).not.toContain(FHIR_KEY);
    const stored = await app.server.database.tenants.transaction(tenant.tenantId, (tx) => tx.query<{ sealed: Buffer }>(
      'SELECT api_key_ciphertext AS sealed FROM booking_system_connections WHERE tenant_id = $1 AND centre_id = $2', [tx.tenantId, centreId]));
    expect(stored[0].sealed.toString('latin1')).not.toContain(FHIR_KEY);
  });

  it('names each problem, found for real: a missing field, a wrong key, an unknown id or department, another protocol or version, no Slot search', async () => {
    const cases: Array<[Record<string, string | undefined>, string, string | null]> = [
      [{ apiKey: undefined }, 'MISSING_FIELD', 'apiKey'],
      [{ apiKey: 'wrong-key-0000' }, 'KEY_REFUSED', 'apiKey'],
      [{ externalId: 'sched-404' }, 'UNKNOWN_EXTERNAL_ID', 'externalId'],
      [{ externalDepartmentId: 'dept-8' }, 'UNKNOWN_EXTERNAL_ID', 'externalDepartmentId'],
      [{ bookingUrl: `${systems.url}/stu3` }, 'WRONG_PROTOCOL', 'bookingUrl'],
      [{ bookingUrl: `${systems.url}/noslot` }, 'WRONG_PROTOCOL', 'bookingUrl'],
      [{ bookingUrl: `${systems.url}/not-fhir` }, 'WRONG_PROTOCOL', 'bookingUrl'],
    ];
    for (const [fields, code, field] of cases) {
      const result = await testOn(fhir(fields), await freshAdmin());
      expect({ fields, problem: result.problem && { code: result.problem.code, field: result.problem.field } }).toEqual({ fields, problem: { code, field } });
      expect(result.problem!.message.length).toBeGreaterThan(20);
    }
  });

  it('names transport problems for real: closed port, DNS, self-signed TLS, a slow server, an oversized body', async () => {
    const closedPort = `http://127.0.0.1:1`;
    const cases: Array<[string, string, TestServer]> = [
      [closedPort, 'UNREACHABLE', app],
      ['http://no-such-host.invalid/fhir', 'DNS', app],
      [`${systems.httpsUrl}/fhir`, 'TLS', app],
      [`${systems.url}/slow`, 'TIMEOUT', impatient],
      [`${systems.url}/big`, 'RESPONSE_TOO_LARGE', app],
    ];
    for (const [bookingUrl, code, server] of cases) {
      const result = await testOn(fhir({ bookingUrl }), await freshAdmin(), server);
      expect([bookingUrl, result.problem?.code]).toEqual([bookingUrl, code]);
    }
  });

  it('SMART Scheduling Links: finds the Location in the published files; an unknown id and a non-manifest are named', async () => {
    const smart = (fields: Record<string, string>) => ({ centreId, system: 'SMART_SCHEDULING_LINKS', bookingUrl: `${systems.url}/smart/$bulk-publish`, externalId: SMART_LOCATION, ...fields });
    expect(await testOn(smart({}), tenant.adminToken)).toMatchObject({ ok: true, remoteName: 'Oslo Sentrum Klinikk' });
    expect((await testOn(smart({ externalId: 'loc-999' }), await freshAdmin())).problem).toMatchObject({ code: 'UNKNOWN_EXTERNAL_ID', field: 'externalId' });
    expect((await testOn(smart({ bookingUrl: `${systems.url}/fhir/metadata` }), await freshAdmin())).problem).toMatchObject({ code: 'WRONG_PROTOCOL' });
  });

  it('CARESLOT: another careslot server through its share; test and save stores it as a share link with mirrors', async () => {
    const sharing = await startTestServer();
    try {
      const sharingTenant = await createTenant(sharing);
      const centre = await createCentreWithSchedules(sharing, sharingTenant);
      const share = await createShareOk(sharing, sharingTenant, { centreId: centre.centreId, scheduleIds: centre.scheduleIds });
      const clientCentre = await createCentre(app, tenant, { name: 'Client of a careslot server' });
      const input = { centreId: clientCentre, system: 'CARESLOT', bookingUrl: share.serverUrl, externalId: share.centreId, apiKey: share.token };
      expect((await testOn({ ...input, apiKey: 'not-a-token' }, await freshAdmin())).problem).toMatchObject({ code: 'KEY_REFUSED', field: 'apiKey' });
      expect((await testOn({ ...input, externalId: centreId }, await freshAdmin())).problem).toMatchObject({ code: 'UNKNOWN_EXTERNAL_ID', field: 'externalId' });
      const saved = (await gqlOk<{ testAndSaveBookingSystemConnection: ResultData }>(app, SAVE, { input }, tenant.adminToken)).testAndSaveBookingSystemConnection;
      expect(saved).toMatchObject({ ok: true, connection: { system: 'CARESLOT', linkId: expect.any(String) } });
      expect(JSON.stringify(saved)).not.toContain(share.token);
      const links = await gqlOk<{ shareLinks: { nodes: Array<{ id: string }> } }>(app, 'query($centreId: ID) { shareLinks(centreId: $centreId, first: 10) { nodes { id } } }', { centreId: clientCentre }, tenant.adminToken);
      expect(links.shareLinks.nodes.map((link) => link.id)).toEqual([saved.connection!.linkId]);
      // Its health is the link's, from real traffic: the sharing server stops, an availability read finds it down.
      await sharing.server.close();
      await gql(app, 'query($centreId: ID!, $from: Instant!, $to: Instant!) { availability(centreId: $centreId, from: $from, to: $to) { centreId } }', {
        centreId: clientCentre, from: new Date(Date.now() + 86_400_000).toISOString(), to: new Date(Date.now() + 2 * 86_400_000).toISOString(),
      }, tenant.adminToken);
      const health = await eventually(
        async () => (await gqlOk<{ bookingSystemConnection: { status: string } }>(app, CONNECTION, { centreId: clientCentre }, tenant.adminToken)).bookingSystemConnection,
        (connection) => connection.status === 'UNREACHABLE', 5000, 100,
      );
      expect(health.status).toBe('UNREACHABLE');
    } finally {
      await sharing.close();
    }
  });

  it('test and save stores nothing on failure', async () => {
    const other = await createCentre(app, tenant);
    const failed = (await gqlOk<{ testAndSaveBookingSystemConnection: ResultData }>(app, SAVE, { input: fhir({ centreId: other, apiKey: 'wrong-key-1111' }) }, await freshAdmin())).testAndSaveBookingSystemConnection;
    expect(failed).toMatchObject({ ok: false, connection: null, problem: { code: 'KEY_REFUSED' } });
    expect((await gqlOk<{ bookingSystemConnection: unknown }>(app, CONNECTION, { centreId: other }, tenant.adminToken)).bookingSystemConnection).toBeNull();
  });

  it('more than five failures (test or test-and-save, either server) block the user for an hour: RATE_LIMITED with retryAfterSeconds', async () => {
    const admin = await freshAdmin();
    const wrong = fhir({ apiKey: 'wrong-key-2222' });
    for (let attempt = 0; attempt < 3; attempt++) expect((await testOn(wrong, admin)).ok).toBe(false);
    for (let attempt = 0; attempt < 3; attempt++) expect((await gqlOk<{ testAndSaveBookingSystemConnection: ResultData }>(impatient, SAVE, { input: wrong }, admin)).testAndSaveBookingSystemConnection.ok).toBe(false);
    const blocked = await gql(impatient, TEST, { input: fhir() }, admin);
    expect(errorCode(blocked)).toBe('RATE_LIMITED');
    expect(blocked.errors![0].extensions?.retryAfterSeconds).toBeGreaterThan(3500);
    expect(errorCode(await gql(app, SAVE, { input: fhir() }, admin))).toBe('RATE_LIMITED');
    // Share links count in the same limiter.
    const schedules = await createCentreWithSchedules(app, tenant);
    const share = await createShareOk(app, tenant, { centreId: schedules.centreId, scheduleIds: schedules.scheduleIds });
    expect(errorCode(await gql(app, `mutation($input: TestShareLinkInput!) { testShareLink(input: $input) { __typename } }`, {
      input: { url: share.serverUrl, remoteCentreId: share.centreId, token: share.token },
    }, admin))).toBe('RATE_LIMITED');
  });

  it('20 parallel failing tests make at most 6 outbound calls', async () => {
    const admin = await freshAdmin();
    const path = '/race-target/metadata';
    const answers = await Promise.all(Array.from({ length: 20 }, (_, index) => gql<{ testBookingSystemConnection: ResultData }>(index % 2 ? app : impatient, TEST, {
      input: fhir({ bookingUrl: `${systems.url}/race-target` }),
    }, admin)));
    expect(systems.hits.get(path) ?? 0).toBeLessThanOrEqual(6);
    expect(answers.filter((answer) => answer.data?.testBookingSystemConnection.problem?.code === 'WRONG_PROTOCOL').length).toBe(systems.hits.get(path));
    expect(answers.filter((answer) => errorCode(answer) === 'RATE_LIMITED').length).toBe(20 - systems.hits.get(path)!);
  });

  it('only an ADMIN; another tenant\'s centre is NOT_FOUND', async () => {
    const viewer = (await createStaff(app, tenant, ['SCHEDULER'])).token;
    expect(errorCode(await gql(app, TEST, { input: fhir() }, viewer))).toBe('FORBIDDEN');
    const stranger = await createTenant(app);
    expect(errorCode(await gql(app, TEST, { input: fhir() }, stranger.adminToken))).toBe('NOT_FOUND');
    expect(errorCode(await gql(app, CONNECTION, { centreId }, stranger.adminToken))).toBe('NOT_FOUND');
  });
});
