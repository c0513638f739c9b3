import { startTestServer, type TestServer } from '../helpers/test-server';
import { connectWs } from '../helpers/ws-client';
import { createCentreWithSchedules, everyDay } from '../factories/catalog';
import { createTenant } from '../factories/tenants';
import { SlotAllocator, bookOk, subscribeQueued, type QueuedSubscription } from '../support/scheduling';

/** With REDIS_URL set, live events travel between instances through Redis (CI sets TEST_REDIS_URL). */
const redisUrl = process.env.TEST_REDIS_URL;
const describeWithRedis = redisUrl ? describe : describe.skip;

/** Long enough for any loaded machine: it only turns a hang into a failure (latency is measured in bench/). */
const HANG_MS = 10_000;

type Event = { data?: { agendaChanged: { kind: string; appointmentId: string | null } } | null; errors?: unknown[] };

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

  /** The next event about `appointmentId` (others are skipped); `ms` only catches a hang. */
  async function eventAbout(events: QueuedSubscription<Event>, appointmentId: string, ms = HANG_MS): Promise<Event> {
    const deadline = Date.now() + ms;
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no event about ${appointmentId} within ${ms} ms`);
      const event = await events.next(left);
      if (event.data?.agendaChanged.appointmentId === appointmentId) return event;
    }
  }

  it('delivers a booking made on instance A to a subscriber on instance B', async () => {
    const tenant = await createTenant(a);
    const centre = await createCentreWithSchedules(a, tenant, { timeZone: 'UTC', openingHours: everyDay('00:00', '24:00'), slotMinutes: 30, services: [{ durationMinutes: 30 }] });
    const slots = new SlotAllocator(centre.scheduleIds, { firstDay: 2, zone: 'UTC', openHour: 0, closeHour: 24 });
    const book = () => bookOk(a, tenant.adminToken, { ...slots.next(), serviceId: centre.serviceIds[0], newPatient: { familyName: 'Redis', givenName: 'Test' } });
    const subscriber = connectWs(b.url, tenant.adminToken);
    const events = subscribeQueued<Event>(subscriber.client, `subscription($c: ID!) { agendaChanged(centreId: $c) { kind appointmentId } }`, { c: centre.centreId });
    try {
      // graphql-ws acknowledges no subscription: book until one event arrives, then it is live.
      let live = false;
      for (let attempt = 0; attempt < 20 && !live; attempt++) {
        const warmUp = await book();
        live = await eventAbout(events, warmUp.id, 500).then(() => true, () => false);
      }
      if (!live) throw new Error(`the subscription never became live (errors: ${JSON.stringify(events.errors)})`);

      const booked = await book();
      expect(await eventAbout(events, booked.id)).toEqual({ data: { agendaChanged: { kind: 'CREATED', appointmentId: booked.id } } });
    } finally {
      events.dispose();
      await subscriber.dispose();
    }
  });
});
