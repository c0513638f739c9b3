import { randomUUID } from 'node:crypto';
import { withPgClient } from '../../src/db/pg-client';
import { gqlOk } from '../helpers/graphql-client';
import type { TestServer } from '../helpers/test-server';
import { createCentre, createPractitioner, createSchedule, createService, everyDay } from './catalog';
import { createStaff, type TestTenant } from './tenants';

/**
 * Partners (seed 001) through the public API, as the tenant's ADMIN sets them up: partners, their
 * users and app tokens, and a centre's traffic-channel matrix. Every helper answers ids or tokens.
 */

export type PartnerKind = 'INSURER' | 'BOOKING_PORTAL' | 'NOTIFICATION_SERVICE' | 'OTHER';

export async function createPartner(
  app: TestServer,
  tenant: TestTenant,
  input: { name?: string; kind?: PartnerKind; active?: boolean; contactName?: string; contactEmail?: string; contactPhone?: string } = {},
): Promise<string> {
  const data = await gqlOk<{ createPartner: { id: string } }>(
    app, 'mutation($input: CreatePartnerInput!) { createPartner(input: $input) { id } }',
    { input: { name: `Partner-${randomUUID().slice(0, 8)}`, kind: 'INSURER', ...input } }, tenant.adminToken,
  );
  return data.createPartner.id;
}

export async function setPartnerActive(app: TestServer, tenant: TestTenant, partnerId: string, active: boolean): Promise<void> {
  await gqlOk(app, 'mutation($input: UpdatePartnerInput!) { updatePartner(input: $input) { id active } }', { input: { id: partnerId, active } }, tenant.adminToken);
}

/** A partner user (no roles) with the given permissions, and a token for it. */
export async function createPartnerUser(
  app: TestServer,
  tenant: TestTenant,
  partnerId: string,
  permissions: string[] = ['PARTNER_BOOKING'],
): Promise<{ userId: string; token: string }> {
  const created = await gqlOk<{ createUser: { id: string } }>(
    app, 'mutation($input: CreateUserInput!) { createUser(input: $input) { id } }',
    { input: { email: `partner-user-${randomUUID().slice(0, 8)}@test.example`, displayName: 'Partner user', roles: [], permissions, partnerId } },
    tenant.adminToken,
  );
  const token = await gqlOk<{ createApiToken: { token: string } }>(
    app, 'mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { token } }',
    { input: { userId: created.createUser.id, label: 'partner user' } }, tenant.adminToken,
  );
  return { userId: created.createUser.id, token: token.createApiToken.token };
}

/** A PARTNER_APP token bound to the partner. */
export async function createPartnerAppToken(app: TestServer, tenant: TestTenant, partnerId: string): Promise<string> {
  const data = await gqlOk<{ createApiToken: { token: string; apiToken: { principalKind: string } } }>(
    app, 'mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { token apiToken { principalKind } } }',
    { input: { partnerId, label: 'partner app' } }, tenant.adminToken,
  );
  if (data.createApiToken.apiToken.principalKind !== 'PARTNER_APP') throw new Error(`expected a PARTNER_APP token, got ${data.createApiToken.apiToken.principalKind}`);
  return data.createApiToken.token;
}

export const SET_TRAFFIC_CHANNELS = `mutation SetChannels($input: SetTrafficChannelsInput!) {
  setTrafficChannels(input: $input) { centreId rows { service { id } partnerIds } }
}`;

/** Replaces the centre's whole matrix: for each service, the partners it is activated for. */
export async function setTrafficChannels(app: TestServer, tenant: TestTenant, centreId: string, rows: Record<string, string[]>): Promise<void> {
  await gqlOk(app, SET_TRAFFIC_CHANNELS, {
    input: { centreId, rows: Object.entries(rows).map(([serviceId, partnerIds]) => ({ serviceId, partnerIds })) },
  }, tenant.adminToken);
}

export async function setCentreOffline(app: TestServer, tenant: TestTenant, centreId: string, offline: boolean): Promise<void> {
  await gqlOk(app, 'mutation($input: UpdateCentreInput!) { updateCentre(input: $input) { id offline } }', { input: { id: centreId, offline } }, tenant.adminToken);
}

/**
 * Reads what is stored, as the database's owner (tests look at rows only this way), inside the
 * tenant's scope so row-level security answers the same whatever the owner's rights.
 */
export async function readAsOwner<Row extends Record<string, unknown>>(app: TestServer, tenantId: string, sql: string, values: unknown[] = []): Promise<Row[]> {
  return withPgClient(app.databaseUrl, async (client) => {
    await client.query('BEGIN');
    try {
      await client.query(`SELECT set_config('app.tenant_id', $1, true)`, [tenantId]);
      return (await client.query<Row>(sql, values)).rows;
    } finally {
      await client.query('ROLLBACK');
    }
  });
}

/** One tenant set up for the partner flow (see buildPartnerWorld). */
export interface PartnerWorld {
  tenant: TestTenant;
  partnerA: string;
  partnerB: string;
  /** A SCHEDULER holding PARTNER_BOOKING: books for any partner it names. */
  staffForPartners: { userId: string; token: string };
  /** A SCHEDULER without PARTNER_BOOKING. */
  staffPlain: { userId: string; token: string };
  userA: { userId: string; token: string };
  /** A user of partner A without PARTNER_BOOKING. */
  userANoPermission: { userId: string; token: string };
  appA: string;
  appB: string;
  /** Practitioners: cardiology (schedule x1) and radiology (schedule x2). */
  cardiologist: string;
  radiologist: string;
  /** s1 and s3 are activated for A at centre X, s2 (offered by both X schedules) only for B. */
  s1: string;
  s2: string;
  s3: string;
  /** Centre X (online): x1 (cardiologist: s1, s2), x2 (radiologist: s3, s2). */
  centreX: string;
  x1: string;
  x2: string;
  /** Centre Y (online): y1 offers s1, activated for B only. */
  centreY: string;
  y1: string;
  /** Centre Z (offline): z1 offers s1, activated for A. */
  centreZ: string;
  z1: string;
}

/**
 * A tenant with two partners A and B, the three doors for A (staff with PARTNER_BOOKING, a partner
 * user, a partner app), and three centres whose traffic channels differ (see PartnerWorld).
 */
export async function buildPartnerWorld(app: TestServer, tenant: TestTenant, tag = randomUUID().slice(0, 6)): Promise<PartnerWorld> {
  const partnerA = await createPartner(app, tenant, { name: `A Partner ${tag}`, kind: 'INSURER' });
  const partnerB = await createPartner(app, tenant, { name: `B Partner ${tag}`, kind: 'BOOKING_PORTAL' });
  const staffForPartners = await createStaff(app, tenant, ['SCHEDULER'], ['PARTNER_BOOKING']);
  const staffPlain = await createStaff(app, tenant, ['SCHEDULER']);
  const userA = await createPartnerUser(app, tenant, partnerA);
  const userANoPermission = await createPartnerUser(app, tenant, partnerA, []);
  const appA = await createPartnerAppToken(app, tenant, partnerA);
  const appB = await createPartnerAppToken(app, tenant, partnerB);
  const cardiologist = await createPractitioner(app, tenant, { name: `Dr Alpha ${tag}`, qualifications: ['cardiology'] });
  const radiologist = await createPractitioner(app, tenant, { name: `Dr Beta ${tag}`, qualifications: ['radiology'] });
  const s1 = await createService(app, tenant, { name: `Examination A ${tag}`, durationMinutes: 30 });
  const s2 = await createService(app, tenant, { name: `Examination B ${tag}`, durationMinutes: 30 });
  const s3 = await createService(app, tenant, { name: `Examination C ${tag}`, durationMinutes: 30 });
  const hours = everyDay('08:00', '17:00');
  const centreX = await createCentre(app, tenant, { name: `Centre X ${tag}` });
  const x1 = await createSchedule(app, tenant, { centreId: centreX, serviceIds: [s1, s2], practitionerId: cardiologist, slotMinutes: 15, openingHours: hours });
  const x2 = await createSchedule(app, tenant, { centreId: centreX, serviceIds: [s3, s2], practitionerId: radiologist, slotMinutes: 15, openingHours: hours });
  const centreY = await createCentre(app, tenant, { name: `Centre Y ${tag}` });
  const y1 = await createSchedule(app, tenant, { centreId: centreY, serviceIds: [s1], practitionerId: cardiologist, slotMinutes: 15, openingHours: hours });
  const centreZ = await createCentre(app, tenant, { name: `Centre Z ${tag}`, offline: true });
  const z1 = await createSchedule(app, tenant, { centreId: centreZ, serviceIds: [s1], practitionerId: cardiologist, slotMinutes: 15, openingHours: hours });
  await setTrafficChannels(app, tenant, centreX, { [s1]: [partnerA, partnerB], [s2]: [partnerB], [s3]: [partnerA] });
  await setTrafficChannels(app, tenant, centreY, { [s1]: [partnerB] });
  await setTrafficChannels(app, tenant, centreZ, { [s1]: [partnerA] });
  return {
    tenant, partnerA, partnerB, staffForPartners, staffPlain, userA, userANoPermission, appA, appB, cardiologist, radiologist,
    s1, s2, s3, centreX, x1, x2, centreY, y1, centreZ, z1,
  };
}

// ---------------------------------------------------------------------------------------------
// Documents of the partner flow (variables named as the arguments; partnerId optional everywhere)

export const PARTNER_CENTRES = `query PartnerCentres($partnerId: ID) { partnerCentres(partnerId: $partnerId) { id name offline } }`;
export const PARTNER_QUALIFICATIONS = `query PartnerQualifications($partnerId: ID, $centreId: ID!) { partnerQualifications(partnerId: $partnerId, centreId: $centreId) }`;
export const PARTNER_PRACTITIONERS = `query PartnerPractitioners($partnerId: ID, $centreId: ID!, $qualification: String, $practitionerId: ID) {
  partnerPractitioners(partnerId: $partnerId, centreId: $centreId, qualification: $qualification, practitionerId: $practitionerId) { id name qualifications }
}`;
export const PARTNER_SERVICES = `query PartnerServices($partnerId: ID, $centreId: ID!, $qualification: String, $practitionerId: ID) {
  partnerServices(partnerId: $partnerId, centreId: $centreId, qualification: $qualification, practitionerId: $practitionerId) { id name }
}`;
export const PARTNER_AVAILABILITY = `query PartnerAvailability($partnerId: ID, $centreId: ID!, $serviceId: ID!, $from: Instant!, $to: Instant!, $practitionerId: ID, $qualification: String) {
  partnerAvailability(partnerId: $partnerId, centreId: $centreId, serviceId: $serviceId, from: $from, to: $to, practitionerId: $practitionerId, qualification: $qualification) {
    centreId schedules { scheduleId free { start end } occupied { start end } slots { start end state } }
  }
}`;
export const PARTNER_PATIENT = `query PartnerPatient($partnerId: ID, $personalIdentityNumber: String!, $familyName: String!) {
  partnerPatient(partnerId: $partnerId, personalIdentityNumber: $personalIdentityNumber, familyName: $familyName) { id familyName givenName }
}`;
export const BOOK_FOR_PARTNER = `mutation BookForPartner($input: BookForPartnerInput!) {
  bookForPartner(input: $input) {
    __typename
    ... on PartnerBooking {
      id partnerId start end status origin centreId scheduleId serviceId patientId createdAt
      patient { id familyName givenName } centre { id } service { id } practitioner { id }
    }
    ... on SlotUnavailable { message } ... on OutsideOpeningHours { message } ... on OffSlotGrid { message } ... on InThePast { message }
    ... on ServiceNotOffered { message } ... on PatientNotFound { message } ... on ServiceNotActivatedForPartner { message } ... on CentreOffline { message }
  }
}`;
export const PARTNER_BOOKINGS = `query PartnerBookings($partnerId: ID, $first: Int!, $after: String) {
  partnerBookings(partnerId: $partnerId, first: $first, after: $after) { nodes { id partnerId origin start } pageInfo { hasNextPage endCursor } }
}`;
export const PARTNER_BOOKING = `query PartnerBooking($partnerId: ID, $id: ID!) { partnerBooking(partnerId: $partnerId, id: $id) { id partnerId origin status } }`;
export const STAFF_APPOINTMENT = `query Appointment($id: ID!) {
  appointment(id: $id) { id origin partnerId partner { id } patientId history { action actorKind actorId } }
}`;
export const VIEWER = `query Viewer { viewer { kind tenantId can { bookForPartners partners { id name } } partner { id } } }`;

export interface PartnerBookingData {
  __typename: string;
  id: string;
  partnerId: string;
  start: string;
  end: string;
  status: string;
  origin: string;
  centreId: string;
  scheduleId: string;
  serviceId: string;
  patientId: string | null;
  createdAt: string;
  patient: { id: string; familyName: string; givenName: string } | null;
  centre: { id: string };
  service: { id: string };
  practitioner: { id: string } | null;
  message?: string;
}

export interface AvailabilityData {
  centreId: string;
  schedules: Array<{
    scheduleId: string;
    free: Array<{ start: string; end: string }>;
    occupied: Array<{ start: string; end: string }>;
    slots: Array<{ start: string; end: string; state: 'FREE' | 'OCCUPIED' }>;
  }>;
}
