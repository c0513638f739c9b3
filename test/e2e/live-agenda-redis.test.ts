import { randomUUID } from 'node:crypto';
import { gqlOk } from '../helpers/graphql-client';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { connectWs } from '../helpers/ws-client';
import { createCentreWithSchedules, everyDay } from '../factories/catalog';
import { createTenant } from '../factories/tenants';

/** With REDIS_URL set, live events travel between instances through Redis (CI sets TEST_REDIS_URL). */
const redisUrl = process.env.TEST_REDIS_URL;
const describeWithRedis = redisUrl ? describe : describe.skip;

describeWithRedis('live agenda over Redis between two instances', () => {
  let a: TestServer;
  let b: TestServer;

  beforeAll(async () => {
    a = await startTestServer({ config: { REDIS_URL: redisUrl } });
    b = await startTestServer({ databaseUrl: a.databaseUrl, config: { REDIS_URL: redisUrl } });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('delivers a booking made on instance A to a subscriber on instance B within a second', async () => {
    const tenant = await createTenant(a);
    const centre = await createCentreWithSchedules(a, tenant, { timeZone: 'UTC', openingHours: everyDay('00:00', '24:00'), slotMinutes: 30, services: [{ durationMinutes: 30 }] });
    const subscriber = connectWs(b.url, tenant.adminToken);
    const events = subscriber.subscribe(`subscription($c: ID!) { agendaChanged(centreId: $c) { kind appointmentId } }`, { c: centre.centreId });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const start = new Date(Math.ceil(Date.now() / 86_400_000) * 86_400_000 + 86_400_000).toISOString();
    const booked = await gqlOk(a, `mutation($input: BookAppointmentInput!) { bookAppointment(input: $input) { ... on Appointment { id } } }`, {
      input: { scheduleId: centre.scheduleIds[0], serviceId: centre.serviceIds[0], start, newPatient: { familyName: 'Redis', givenName: 'Test' }, idempotencyKey: randomUUID() },
    }, tenant.adminToken);
    const event = await events.next(1000);
    expect(event).toEqual({ data: { agendaChanged: { kind: 'CREATED', appointmentId: booked.bookAppointment.id } } });
    events.dispose();
    await subscriber.dispose();
  });
});
