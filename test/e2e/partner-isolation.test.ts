import { randomBytes, randomUUID } from 'node:crypto';
import { errorCode, gql, gqlOk, type GraphQLResponse } from '../helpers/graphql-client';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { createTenant } from '../factories/tenants';
import {
  BOOK_FOR_PARTNER, PARTNER_AVAILABILITY, PARTNER_BOOKING, PARTNER_BOOKINGS, PARTNER_CENTRES, PARTNER_PATIENT, PARTNER_PRACTITIONERS,
  PARTNER_QUALIFICATIONS, PARTNER_SERVICES, SET_TRAFFIC_CHANNELS, VIEWER, buildPartnerWorld, createPartner, readAsOwner,
  type AvailabilityData, type PartnerBookingData, type PartnerWorld,
} from '../factories/partners';
import { BOOK, createPatient, errorFields, key, localAt } from '../support/scheduling';

/**
 * Who may use the partner part of the schema, and what each may see: permissions per principal,
 * partner principals kept out of staff fields, partner A never seeing partner B's bookings or the
 * clinic's own, and nothing crossing tenants (another tenant's ids answer as unknown ones do).
 */

const pin = () => `1985${randomBytes(4).toString('hex')}`;

describe('partner booking: permissions and isolation', () => {
  let app: TestServer;
  /** Tenant 1, the one under test. */
  let w: PartnerWorld;
  /** Tenant 2, a look-alike. */
  let w2: PartnerWorld;
  let inactivePartner: string;
  let patient: { id: string; pin: string };
  let patient2: { id: string };
  /** Tenant 1's bookings on x1, day 3: one by A's app, one by B's app, one by the clinic itself. */
  let bookingA: PartnerBookingData;
  let bookingB: PartnerBookingData;
  let localId: string;
  const DAY = 3;

  const book = (token: string, input: Record<string, unknown>) =>
    gql<{ bookForPartner: PartnerBookingData }>(app, BOOK_FOR_PARTNER, { input: { idempotencyKey: key(), ...input } }, token);
  async function bookOk(token: string, input: Record<string, unknown>): Promise<PartnerBookingData> {
    const response = await book(token, input);
    if (response.errors?.length || response.data?.bookForPartner.__typename !== 'PartnerBooking') throw new Error(JSON.stringify(response.errors ?? response.data));
    return response.data.bookForPartner;
  }
  const count = async (table: 'appointments' | 'patients' | 'users' | 'api_tokens' | 'traffic_channels', tenantId = w.tenant.tenantId) =>
    (await readAsOwner<{ n: number }>(app, tenantId, `SELECT count(*)::int AS n FROM ${table} WHERE tenant_id = $1`, [tenantId]))[0]!.n;

  beforeAll(async () => {
    app = await startTestServer();
    w = await buildPartnerWorld(app, await createTenant(app));
    w2 = await buildPartnerWorld(app, await createTenant(app));
    inactivePartner = await createPartner(app, w.tenant, { name: `C Partner ${randomUUID().slice(0, 6)}`, active: false });
    // The same personal identity number and name in both tenants (unique per tenant only).
    const shared = pin();
    patient = { id: (await createPatient(app, w.tenant.adminToken, { familyName: 'Nyberg', givenName: 'Ola', personalIdentityNumber: shared })).data!.createPatient.id, pin: shared };
    patient2 = { id: (await createPatient(app, w2.tenant.adminToken, { familyName: 'Nyberg', givenName: 'Ola', personalIdentityNumber: shared })).data!.createPatient.id };
    bookingA = await bookOk(w.appA, { scheduleId: w.x1, serviceId: w.s1, start: localAt(DAY, 9), patientId: patient.id });
    bookingB = await bookOk(w.appB, { scheduleId: w.x1, serviceId: w.s1, start: localAt(DAY, 10), patientId: patient.id });
    const local = await gql(app, BOOK, { input: { scheduleId: w.x1, serviceId: w.s1, start: localAt(DAY, 11), patientId: patient.id, idempotencyKey: key() } }, w.staffPlain.token);
    expect(local.data?.bookAppointment).toMatchObject({ __typename: 'Appointment', origin: 'LOCAL' });
    localId = local.data!.bookAppointment.id;
  });
  afterAll(() => app?.close());

  /** Every step of the flow, for a caller naming `partnerId` (or not): [label, response]. */
  async function everyFlowOperation(token: string, partnerId: string | undefined, world: PartnerWorld = w): Promise<Array<[string, GraphQLResponse]>> {
    const named = partnerId ? { partnerId } : {};
    return [
      ['partnerCentres', await gql(app, PARTNER_CENTRES, named, token)],
      ['partnerQualifications', await gql(app, PARTNER_QUALIFICATIONS, { ...named, centreId: world.centreX }, token)],
      ['partnerPractitioners', await gql(app, PARTNER_PRACTITIONERS, { ...named, centreId: world.centreX }, token)],
      ['partnerServices', await gql(app, PARTNER_SERVICES, { ...named, centreId: world.centreX }, token)],
      ['partnerAvailability', await gql(app, PARTNER_AVAILABILITY, { ...named, centreId: world.centreX, serviceId: world.s1, from: localAt(DAY, 0), to: localAt(DAY + 1, 0) }, token)],
      ['partnerPatient', await gql(app, PARTNER_PATIENT, { ...named, personalIdentityNumber: patient.pin, familyName: 'Nyberg' }, token)],
      ['partnerBookings', await gql(app, PARTNER_BOOKINGS, { ...named, first: 10 }, token)],
      ['partnerBooking', await gql(app, PARTNER_BOOKING, { ...named, id: bookingA.id }, token)],
      ['bookForPartner', await book(token, { ...named, scheduleId: world.x1, serviceId: world.s1, start: localAt(DAY, 14), newPatient: { familyName: 'Probe', givenName: 'X' } })],
    ];
  }
  const codes = (results: Array<[string, GraphQLResponse]>) => results.map(([label, response]) => [label, errorCode(response) ?? 'OK']);
  const all = (code: string, results: Array<[string, GraphQLResponse]>) => results.map(([label]) => [label, code]);

  describe('permissions', () => {
    it('staff without PARTNER_BOOKING (a SCHEDULER, an ADMIN) are FORBIDDEN on every step, bookForPartner and partnerCentres included; nothing written', async () => {
      const before = { appointments: await count('appointments'), patients: await count('patients') };
      for (const token of [w.staffPlain.token, w.tenant.adminToken]) {
        const results = await everyFlowOperation(token, w.partnerA);
        expect(codes(results)).toEqual(all('FORBIDDEN', results));
        expect(results.every(([, response]) => response.data == null || Object.values(response.data).every((value) => value === null))).toBe(true);
      }
      expect({ appointments: await count('appointments'), patients: await count('patients') }).toEqual(before);
    });

    it('a partner user without PARTNER_BOOKING is FORBIDDEN on every step (and its patient look-up is not audited)', async () => {
      const audited = async () => (await readAsOwner(app, w.tenant.tenantId, `SELECT id FROM audit_events WHERE tenant_id = $1 AND action = 'partner.patient-looked-up'`, [w.tenant.tenantId])).length;
      const before = { appointments: await count('appointments'), lookUps: await audited() };
      const results = await everyFlowOperation(w.userANoPermission.token, undefined);
      expect(codes(results)).toEqual(all('FORBIDDEN', results));
      expect({ appointments: await count('appointments'), lookUps: await audited() }).toEqual(before);
    });

    it('partner users and apps are FORBIDDEN on staff queries and mutations', async () => {
      const staffOperations: Array<[string, string, Record<string, unknown>]> = [
        ['appointments', '{ appointments(first: 10) { nodes { id } } }', {}],
        ['appointment', 'query($id: ID!) { appointment(id: $id) { id } }', { id: bookingA.id }],
        ['availability', 'query($c: ID!, $f: Instant!, $t: Instant!) { availability(centreId: $c, from: $f, to: $t) { schedules { scheduleId } } }', { c: w.centreX, f: localAt(DAY, 0), t: localAt(DAY + 1, 0) }],
        ['patients', 'query($s: String!) { patients(search: $s) { nodes { id } } }', { s: 'Nyberg' }],
        ['patient', 'query($id: ID!) { patient(id: $id) { id } }', { id: patient.id }],
        ['centres', '{ centres { nodes { id } } }', {}],
        ['centre', 'query($id: ID!) { centre(id: $id) { id } }', { id: w.centreX }],
        ['bookAppointment', BOOK, { input: { scheduleId: w.x1, serviceId: w.s1, start: localAt(DAY, 15), patientId: patient.id, idempotencyKey: key() } }],
        ['createPatient', 'mutation($input: NewPatientInput!) { createPatient(input: $input) { id } }', { input: { familyName: 'Probe', givenName: 'Y' } }],
        ['trafficChannels', 'query($c: ID!) { trafficChannels(centreId: $c) { centreId } }', { c: w.centreX }],
        ['setTrafficChannels', SET_TRAFFIC_CHANNELS, { input: { centreId: w.centreX, rows: [] } }],
        ['createPartner', 'mutation($input: CreatePartnerInput!) { createPartner(input: $input) { id } }', { input: { name: 'Probe partner', kind: 'OTHER' } }],
        ['updatePartner', 'mutation($input: UpdatePartnerInput!) { updatePartner(input: $input) { id } }', { input: { id: w.partnerA, active: true } }],
        ['users', '{ users { nodes { id } } }', {}],
        ['createApiToken', 'mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { token } }', { input: { partnerId: w.partnerA, label: 'probe' } }],
      ];
      const before = { appointments: await count('appointments'), patients: await count('patients'), channels: await count('traffic_channels'), tokens: await count('api_tokens') };
      for (const [who, token] of [['partner user', w.userA.token], ['partner app', w.appA]] as const) {
        for (const [label, query, variables] of staffOperations) {
          expect([who, label, errorCode(await gql(app, query, variables, token))]).toEqual([who, label, 'FORBIDDEN']);
        }
      }
      expect({ appointments: await count('appointments'), patients: await count('patients'), channels: await count('traffic_channels'), tokens: await count('api_tokens') }).toEqual(before);
    });

    it('a partner principal reading partnerCentres { schedules } is FORBIDDEN on that field; staff with PARTNER_BOOKING read it', async () => {
      const query = 'query($partnerId: ID) { partnerCentres(partnerId: $partnerId) { id schedules { id } } }';
      for (const token of [w.userA.token, w.appA]) {
        const response = await gql(app, query, {}, token);
        expect(errorCode(response)).toBe('FORBIDDEN');
        expect(response.errors![0]!.path).toEqual(['partnerCentres', 0, 'schedules']);
        expect(JSON.stringify(response.data ?? null)).not.toContain(w.x1);
      }
      const staff = await gqlOk<{ partnerCentres: Array<{ id: string; schedules: Array<{ id: string }> }> }>(app, query, { partnerId: w.partnerA }, w.staffForPartners.token);
      expect(staff.partnerCentres).toEqual([{ id: w.centreX, schedules: expect.arrayContaining([{ id: w.x1 }, { id: w.x2 }]) }]);
    });

    describe('viewer.can', () => {
      const expectations = (): Array<[string, () => string, { kind: string; bookForPartners: boolean; partners: () => string[]; partner: () => string | null }]> => [
        ['staff with PARTNER_BOOKING', () => w.staffForPartners.token, { kind: 'STAFF_USER', bookForPartners: true, partners: () => [w.partnerA, w.partnerB], partner: () => null }],
        ['staff without it', () => w.staffPlain.token, { kind: 'STAFF_USER', bookForPartners: false, partners: () => [], partner: () => null }],
        ['an ADMIN without it', () => w.tenant.adminToken, { kind: 'STAFF_USER', bookForPartners: false, partners: () => [], partner: () => null }],
        ['a partner user with PARTNER_BOOKING', () => w.userA.token, { kind: 'PARTNER_USER', bookForPartners: true, partners: () => [w.partnerA], partner: () => w.partnerA }],
        ['a partner user without it', () => w.userANoPermission.token, { kind: 'PARTNER_USER', bookForPartners: false, partners: () => [], partner: () => w.partnerA }],
        ['a partner app', () => w.appA, { kind: 'PARTNER_APP', bookForPartners: true, partners: () => [w.partnerA], partner: () => w.partnerA }],
      ];
      it.each(expectations().map(([label]) => label))('%s', async (label) => {
        const [, token, expected] = expectations().find(([name]) => name === label)!;
        const response = await gql(app, VIEWER, {}, token());
        expect(response.errors).toBeUndefined();
        // Active partners only (C is inactive), by name.
        expect(response.data!.viewer).toEqual({
          kind: expected.kind, tenantId: w.tenant.tenantId,
          can: { bookForPartners: expected.bookForPartners, partners: expected.partners().map((id) => ({ id, name: expect.any(String) })) },
          partner: expected.partner() ? { id: expected.partner() } : null,
        });
        expect(JSON.stringify(response.data)).not.toContain(inactivePartner);
      });
    });

    it('createUser with a partnerId and roles is BAD_USER_INPUT on input.roles, and creates nothing', async () => {
      const before = await count('users');
      const response = await gql(app, 'mutation($input: CreateUserInput!) { createUser(input: $input) { id } }', {
        input: { email: `probe-${randomUUID().slice(0, 6)}@test.example`, displayName: 'Probe', roles: ['SCHEDULER'], permissions: ['PARTNER_BOOKING'], partnerId: w.partnerA },
      }, w.tenant.adminToken);
      expect(errorCode(response)).toBe('BAD_USER_INPUT');
      expect(errorFields(response)).toEqual(['input.roles']);
      expect(await count('users')).toBe(before);
    });

    it('a partner user or app naming another partner is FORBIDDEN on every step', async () => {
      for (const token of [w.userA.token, w.appA]) {
        const results = await everyFlowOperation(token, w.partnerB);
        expect(codes(results)).toEqual(all('FORBIDDEN', results));
      }
    });

    it('a partner principal reads its own partner only', async () => {
      for (const token of [w.userA.token, w.appA]) {
        expect((await gqlOk(app, 'query($id: ID!) { partner(id: $id) { id } }', { id: w.partnerA }, token)).partner).toEqual({ id: w.partnerA });
        expect(errorCode(await gql(app, 'query($id: ID!) { partner(id: $id) { id } }', { id: w.partnerB }, token))).toBe('NOT_FOUND');
        expect((await gqlOk(app, '{ partners { nodes { id } } }', {}, token)).partners.nodes).toEqual([{ id: w.partnerA }]);
      }
    });
  });

  describe('partner A and partner B', () => {
    const bookingIds = async (token: string, partnerId?: string) =>
      (await gqlOk<{ partnerBookings: { nodes: Array<{ id: string; partnerId: string }> } }>(app, PARTNER_BOOKINGS, { partnerId, first: 100 }, token)).partnerBookings.nodes;

    it('partnerBookings lists only the partner\'s own, for every door', async () => {
      for (const [token, partnerId] of [[w.appA, undefined], [w.userA.token, undefined], [w.staffForPartners.token, w.partnerA]] as const) {
        const nodes = await bookingIds(token, partnerId);
        expect(nodes.map((n) => n.id)).toContain(bookingA.id);
        expect(nodes.map((n) => n.id)).not.toContain(bookingB.id);
        expect(nodes.map((n) => n.id)).not.toContain(localId);
        expect(nodes.every((n) => n.partnerId === w.partnerA)).toBe(true);
      }
      const forB = await bookingIds(w.appB);
      expect(forB.map((n) => n.id)).toEqual([bookingB.id]);
      expect(await bookingIds(w.staffForPartners.token, w.partnerB)).toEqual(forB);
    });

    it('partnerBooking of B\'s booking or of the clinic\'s own is NOT_FOUND, as an unknown id is', async () => {
      for (const [token, partnerId] of [[w.appA, undefined], [w.userA.token, undefined], [w.staffForPartners.token, w.partnerA]] as const) {
        for (const id of [bookingB.id, localId, randomUUID()]) {
          const response = await gql(app, PARTNER_BOOKING, { partnerId, id }, token);
          expect(errorCode(response)).toBe('NOT_FOUND');
          expect(response.data?.partnerBooking ?? null).toBeNull();
        }
        expect((await gqlOk(app, PARTNER_BOOKING, { partnerId, id: bookingA.id }, token)).partnerBooking.id).toBe(bookingA.id);
      }
      // Staff acting for B see B's.
      expect((await gqlOk(app, PARTNER_BOOKING, { partnerId: w.partnerB, id: bookingB.id }, w.staffForPartners.token)).partnerBooking.id).toBe(bookingB.id);
    });

    it('B\'s bookings and the clinic\'s own show in A\'s availability only as occupied time', async () => {
      const availability = (await gqlOk<{ partnerAvailability: AvailabilityData }>(app, PARTNER_AVAILABILITY, {
        centreId: w.centreX, serviceId: w.s1, from: localAt(DAY, 0), to: localAt(DAY + 1, 0),
      }, w.appA)).partnerAvailability;
      const x1 = availability.schedules.find((s) => s.scheduleId === w.x1)!;
      for (const start of [localAt(DAY, 9), localAt(DAY, 10), localAt(DAY, 11)]) {
        expect(x1.slots.find((slot) => Date.parse(slot.start) === Date.parse(start))?.state).toBe('OCCUPIED');
        expect(x1.free.some((f) => Date.parse(f.start) <= Date.parse(start) && Date.parse(f.end) > Date.parse(start))).toBe(false);
      }
      // A's own, B's and the clinic's booking alike: bare time, nothing about whose.
      expect(x1.occupied.map((interval) => [Date.parse(interval.start), Date.parse(interval.end)])).toEqual(
        [9, 10, 11].map((hour) => [Date.parse(localAt(DAY, hour)), Date.parse(localAt(DAY, hour, 30))]),
      );
      const text = JSON.stringify(availability);
      for (const secret of [bookingB.id, localId, patient.id, w.partnerB]) expect(text).not.toContain(secret);
    });

    it('B cannot replay A\'s idempotency key to reach A\'s booking', async () => {
      const idempotencyKey = key();
      const input = { scheduleId: w.x1, serviceId: w.s1, start: localAt(DAY, 13), patientId: patient.id, idempotencyKey };
      const first = await gql<{ bookForPartner: PartnerBookingData }>(app, BOOK_FOR_PARTNER, { input }, w.appA);
      expect(first.data?.bookForPartner.__typename).toBe('PartnerBooking');
      const replayedByB = await gql(app, BOOK_FOR_PARTNER, { input }, w.appB);
      expect(errorCode(replayedByB)).toBe('CONFLICT');
      expect(JSON.stringify(replayedByB)).not.toContain(first.data!.bookForPartner.id);
    });
  });

  describe('another tenant', () => {
    it('staff of tenant 1 booking for tenant 2\'s partner: NOT_FOUND, nothing written', async () => {
      const before = { one: await count('appointments'), two: await count('appointments', w2.tenant.tenantId) };
      const response = await book(w.staffForPartners.token, { partnerId: w2.partnerA, scheduleId: w.x1, serviceId: w.s1, start: localAt(DAY, 15), patientId: patient.id });
      expect(errorCode(response)).toBe('NOT_FOUND');
      const unknown = await book(w.staffForPartners.token, { partnerId: randomUUID(), scheduleId: w.x1, serviceId: w.s1, start: localAt(DAY, 15), patientId: patient.id });
      expect(errorCode(unknown)).toBe('NOT_FOUND');
      expect({ one: await count('appointments'), two: await count('appointments', w2.tenant.tenantId) }).toEqual(before);
    });

    it('staff of tenant 1 naming tenant 2\'s partner in the flow get what an unknown partner gets', async () => {
      const strip = (results: Array<[string, GraphQLResponse]>) => results.map(([label, r]) => [label, errorCode(r) ?? 'OK', r.errors ? null : JSON.stringify(r.data)]);
      const foreign = await everyFlowOperation(w.staffForPartners.token, w2.partnerA);
      const unknown = await everyFlowOperation(w.staffForPartners.token, randomUUID());
      expect(strip(foreign)).toEqual(strip(unknown));
      // The flow checks that the partner named exists in the tenant (partnerBookings: see the next test).
      expect(codes(foreign).filter(([label]) => label !== 'partnerBookings')).toEqual(all('NOT_FOUND', foreign).filter(([label]) => label !== 'partnerBookings'));
      // Nothing of tenant 2 in any answer.
      const text = JSON.stringify(foreign);
      for (const id of [w2.centreX, w2.x1, w2.s1, w2.partnerA, patient2.id]) expect(text).not.toContain(id);
    });

    it('partnerBookings naming tenant 2\'s (or an unknown) partner is NOT_FOUND, as every other step of the flow is', async () => {
      for (const partnerId of [w2.partnerA, randomUUID()]) {
        const response = await gql(app, PARTNER_BOOKINGS, { partnerId, first: 10 }, w.staffForPartners.token);
        expect([errorCode(response), response.data?.partnerBookings ?? null]).toEqual(['NOT_FOUND', null]);
      }
    });

    it('tenant 2\'s centre, schedule and service ids answer NOT_FOUND (or as unknown ones) in tenant 1\'s flow', async () => {
      const staff = w.staffForPartners.token;
      const named = { partnerId: w.partnerA };
      for (const centreId of [w2.centreX, randomUUID()]) {
        expect(errorCode(await gql(app, PARTNER_QUALIFICATIONS, { ...named, centreId }, staff))).toBe('NOT_FOUND');
        expect(errorCode(await gql(app, PARTNER_PRACTITIONERS, { ...named, centreId }, staff))).toBe('NOT_FOUND');
        expect(errorCode(await gql(app, PARTNER_SERVICES, { ...named, centreId }, staff))).toBe('NOT_FOUND');
        expect(errorCode(await gql(app, PARTNER_AVAILABILITY, { ...named, centreId, serviceId: w.s1, from: localAt(DAY, 0), to: localAt(DAY + 1, 0) }, staff))).toBe('NOT_FOUND');
      }
      for (const scheduleId of [w2.x1, randomUUID()]) {
        expect(errorCode(await book(staff, { ...named, scheduleId, serviceId: w.s1, start: localAt(DAY, 15), patientId: patient.id }))).toBe('NOT_FOUND');
      }
      // A foreign service in an own schedule: the same typed answer as an unknown service.
      const foreignService = await book(staff, { ...named, scheduleId: w.x1, serviceId: w2.s1, start: localAt(DAY, 15), patientId: patient.id });
      const unknownService = await book(staff, { ...named, scheduleId: w.x1, serviceId: randomUUID(), start: localAt(DAY, 15), patientId: patient.id });
      expect(foreignService.data?.bookForPartner.__typename).toBe(unknownService.data?.bookForPartner.__typename);
      expect(foreignService.data?.bookForPartner.__typename).toBe('ServiceNotActivatedForPartner');
      // A foreign patient: PatientNotFound, as an unknown one.
      expect((await book(staff, { ...named, scheduleId: w.x1, serviceId: w.s1, start: localAt(DAY, 15), patientId: patient2.id })).data?.bookForPartner.__typename).toBe('PatientNotFound');
    });

    it('setTrafficChannels and trafficChannels with tenant 2\'s centre, service or partner: NOT_FOUND, and the matrix is unchanged', async () => {
      const before = await count('traffic_channels');
      const set = (centreId: string, rows: Array<{ serviceId: string; partnerIds: string[] }>) => gql(app, SET_TRAFFIC_CHANNELS, { input: { centreId, rows } }, w.tenant.adminToken);
      const own = [{ serviceId: w.s1, partnerIds: [w.partnerA, w.partnerB] }, { serviceId: w.s2, partnerIds: [w.partnerB] }, { serviceId: w.s3, partnerIds: [w.partnerA] }];
      expect(errorCode(await set(w.centreX, [...own, { serviceId: w2.s2, partnerIds: [w.partnerA] }]))).toBe('NOT_FOUND');
      expect(errorCode(await set(w.centreX, [{ serviceId: w.s1, partnerIds: [w.partnerA, w2.partnerA] }]))).toBe('NOT_FOUND');
      expect(errorCode(await set(w2.centreX, own))).toBe('NOT_FOUND');
      expect(errorCode(await gql(app, 'query($c: ID!) { trafficChannels(centreId: $c) { centreId } }', { c: w2.centreX }, w.tenant.adminToken))).toBe('NOT_FOUND');
      expect(await count('traffic_channels')).toBe(before);
      // Tenant 1's flow is as before.
      expect((await gqlOk(app, PARTNER_SERVICES, { centreId: w.centreX }, w.appA)).partnerServices.map((s: { id: string }) => s.id)).toEqual([w.s1, w.s3]);
    });

    it('tenant 2\'s partner is NOT_FOUND to tenant 1\'s admin: partner, updatePartner, createUser, createApiToken; nothing written', async () => {
      const before = { users: await count('users'), tokens: await count('api_tokens') };
      const admin = w.tenant.adminToken;
      expect(errorCode(await gql(app, 'query($id: ID!) { partner(id: $id) { id } }', { id: w2.partnerA }, admin))).toBe('NOT_FOUND');
      expect(errorCode(await gql(app, 'mutation($input: UpdatePartnerInput!) { updatePartner(input: $input) { id } }', { input: { id: w2.partnerA, active: false } }, admin))).toBe('NOT_FOUND');
      expect(errorCode(await gql(app, 'mutation($input: CreateUserInput!) { createUser(input: $input) { id } }', {
        input: { email: `probe-${randomUUID().slice(0, 6)}@test.example`, displayName: 'Probe', roles: [], permissions: ['PARTNER_BOOKING'], partnerId: w2.partnerA },
      }, admin))).toBe('NOT_FOUND');
      expect(errorCode(await gql(app, 'mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { token } }', { input: { partnerId: w2.partnerA, label: 'probe' } }, admin))).toBe('NOT_FOUND');
      expect({ users: await count('users'), tokens: await count('api_tokens') }).toEqual(before);
      // Tenant 2's partner is still active.
      expect((await gql(app, PARTNER_CENTRES, {}, w2.appA)).status).toBe(200);
    });

    it('a token of tenant 2\'s partner app sees nothing of tenant 1', async () => {
      const token = w2.appA;
      const viewer = (await gqlOk(app, VIEWER, {}, token)).viewer;
      expect(viewer).toMatchObject({ kind: 'PARTNER_APP', tenantId: w2.tenant.tenantId, partner: { id: w2.partnerA } });
      expect((await gqlOk(app, PARTNER_CENTRES, {}, token)).partnerCentres.map((c: { id: string }) => c.id)).toEqual([w2.centreX]);
      expect(errorCode(await gql(app, PARTNER_QUALIFICATIONS, { centreId: w.centreX }, token))).toBe('NOT_FOUND');
      expect(errorCode(await gql(app, PARTNER_SERVICES, { centreId: w.centreX }, token))).toBe('NOT_FOUND');
      expect(errorCode(await gql(app, PARTNER_AVAILABILITY, { centreId: w.centreX, serviceId: w.s1, from: localAt(DAY, 0), to: localAt(DAY + 1, 0) }, token))).toBe('NOT_FOUND');
      for (const id of [bookingA.id, bookingB.id, localId]) expect(errorCode(await gql(app, PARTNER_BOOKING, { id }, token))).toBe('NOT_FOUND');
      const listed = (await gqlOk(app, PARTNER_BOOKINGS, { first: 100 }, token)).partnerBookings.nodes.map((n: { id: string }) => n.id);
      expect(listed).not.toContain(bookingA.id);
      expect(errorCode(await book(token, { scheduleId: w.x1, serviceId: w.s1, start: localAt(DAY, 16), patientId: patient.id }))).toBe('NOT_FOUND');
      // The same number and name exist in both tenants: tenant 2's own patient is found, never tenant 1's.
      expect((await gqlOk(app, PARTNER_PATIENT, { personalIdentityNumber: patient.pin, familyName: 'nyberg' }, token)).partnerPatient).toEqual({ id: patient2.id, familyName: 'Nyberg', givenName: 'Ola' });
      // Naming tenant 1's partner: not its own.
      expect(errorCode(await gql(app, PARTNER_CENTRES, { partnerId: w.partnerA }, token))).toBe('FORBIDDEN');
      expect(errorCode(await gql(app, 'query($id: ID!) { partner(id: $id) { id } }', { id: w.partnerA }, token))).toBe('NOT_FOUND');
    });

    it('the same idempotency key in two tenants books twice, each in its own tenant', async () => {
      const idempotencyKey = key();
      const one = await book(w.appA, { scheduleId: w.x1, serviceId: w.s1, start: localAt(DAY + 1, 9), patientId: patient.id, idempotencyKey });
      const two = await book(w2.appA, { scheduleId: w2.x1, serviceId: w2.s1, start: localAt(DAY + 1, 9), patientId: patient2.id, idempotencyKey });
      expect(one.data?.bookForPartner).toMatchObject({ __typename: 'PartnerBooking', partnerId: w.partnerA, patientId: patient.id });
      expect(two.data?.bookForPartner).toMatchObject({ __typename: 'PartnerBooking', partnerId: w2.partnerA, patientId: patient2.id });
      expect(two.data!.bookForPartner.id).not.toBe(one.data!.bookForPartner.id);
    });
  });
});
