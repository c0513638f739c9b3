import { randomUUID } from 'node:crypto';
import { gql, gqlOk } from '../helpers/graphql-client';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { connectWs } from '../helpers/ws-client';
import { createCentreWithSchedules, everyDay, type CentreWithSchedules } from '../factories/catalog';
import { createShareOk } from '../factories/sharing';
import { createTenant, type TestTenant } from '../factories/tenants';

const DAY = 86_400_000;
const tomorrowNoonUtc = () => new Date(Math.ceil(Date.now() / DAY) * DAY + DAY + 10 * 3_600_000);

describe('schedule sharing across two servers (smoke)', () => {
  let sharingServer: TestServer;
  let clientServer: TestServer;
  let sharingTenant: TestTenant;
  let clientTenant: TestTenant;
  let sharingCentre: CentreWithSchedules;
  let clientCentre: CentreWithSchedules;
  let token: string;

  beforeAll(async () => {
    sharingServer = await startTestServer({ config: { JOB_RETRY_BASE_MS: 100 } });
    clientServer = await startTestServer({ config: { JOB_RETRY_BASE_MS: 100 } });
    sharingTenant = await createTenant(sharingServer);
    clientTenant = await createTenant(clientServer);
    sharingCentre = await createCentreWithSchedules(sharingServer, sharingTenant, { timeZone: 'UTC', openingHours: everyDay('08:00', '17:00'), slotMinutes: 30, services: [{ durationMinutes: 30 }] });
    clientCentre = await createCentreWithSchedules(clientServer, clientTenant, { timeZone: 'UTC', name: 'Client Clinic' });
    token = (await createShareOk(sharingServer, sharingTenant, { centreId: sharingCentre.centreId, scheduleIds: sharingCentre.scheduleIds })).token;
  });
  afterAll(async () => {
    await clientServer?.close();
    await sharingServer?.close();
  });

  it('links, shows shared availability, books across, and cancels the twin', async () => {
    const created = await gqlOk(clientServer, `mutation($input: CreateShareLinkInput!) { createShareLink(input: $input) { __typename ... on ShareLinkOk { remoteCentreName link { id } } ... on ShareLinkProblem { reason message } } }`,
      { input: { centreId: clientCentre.centreId, url: sharingServer.url, remoteCentreId: sharingCentre.centreId, token, label: 'shared' } }, clientTenant.adminToken);
    expect(created.createShareLink.__typename).toBe('ShareLinkOk');

    const start = tomorrowNoonUtc();
    const availability = await gqlOk(clientServer, `query($c: ID!, $f: Instant!, $t: Instant!) { availability(centreId: $c, from: $f, to: $t) { schedules { scheduleId free { start end } } } }`,
      { c: clientCentre.centreId, f: new Date(start.getTime() - 2 * 3_600_000).toISOString(), t: new Date(start.getTime() + 2 * 3_600_000).toISOString() }, clientTenant.adminToken);
    expect(availability.availability.schedules.length).toBe(2);
    const schedules = await gqlOk(clientServer, `query($c: ID!) { schedules(centreId: $c) { nodes { id name services { id } } } }`, { c: clientCentre.centreId }, clientTenant.adminToken);
    const mirror = schedules.schedules.nodes.find((s: { id: string }) => !clientCentre.scheduleIds.includes(s.id));
    expect(mirror).toBeDefined();

    const subscriber = connectWs(clientServer.url, clientTenant.adminToken);
    const events = subscriber.subscribe(`subscription($c: ID!) { agendaChanged(centreId: $c) { kind scheduleId } }`, { c: clientCentre.centreId });
    await new Promise((resolve) => setTimeout(resolve, 300));

    const booked = await gql(clientServer, `mutation($input: BookAppointmentInput!) { bookAppointment(input: $input) { __typename ... on Appointment { id status } } }`, {
      input: { scheduleId: mirror.id, serviceId: mirror.services[0].id, start: start.toISOString(), newPatient: { familyName: 'Client', givenName: 'Patient' }, idempotencyKey: randomUUID() },
    }, clientTenant.adminToken);
    expect(booked.errors).toBeUndefined();
    expect(booked.data!.bookAppointment.__typename).toBe('Appointment');
    const appointmentId = booked.data!.bookAppointment.id;

    const atSharing = await gqlOk(sharingServer, `{ appointments(first: 10) { nodes { id origin clientCentreName displayMarker status } } }`, {}, sharingTenant.adminToken);
    expect(atSharing.appointments.nodes).toEqual([expect.objectContaining({ origin: 'SHARED_CLIENT', clientCentreName: 'Client Clinic', displayMarker: '*', status: 'BOOKED' })]);
    expect(await events.next(3000)).toBeDefined();

    await gqlOk(clientServer, `mutation($input: CancelAppointmentInput!) { cancelAppointment(input: $input) { status } }`,
      { input: { appointmentId, reasonCode: 'PATIENT_REQUEST', idempotencyKey: randomUUID() } }, clientTenant.adminToken);
    const deadline = Date.now() + 10_000;
    let status = 'BOOKED';
    while (status !== 'CANCELLED' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      status = (await gqlOk(sharingServer, `{ appointments(first: 10) { nodes { status } } }`, {}, sharingTenant.adminToken)).appointments.nodes[0].status;
    }
    expect(status).toBe('CANCELLED');
    events.dispose();
    await subscriber.dispose();
  });
});
