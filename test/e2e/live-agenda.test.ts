import { gqlOk } from '../helpers/graphql-client';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { connectWs, type WsConnection } from '../helpers/ws-client';
import { runOnWs } from '../helpers/ws-operation';
import { createCentreWithSchedules, everyDay, type CentreWithSchedules } from '../factories/catalog';
import { createStaff, createTenant, type TestTenant } from '../factories/tenants';
import {
  agendaChanged, SlotAllocator, bookOk, cancel, firstOutcome, key, outcomeCodes, reschedule, sameInstant, sleep, subscribeQueued,
  type QueuedSubscription,
  type AgendaChangeData,
} from '../support/scheduling';

/**
 * Live agendas across instances: two servers on one database (PostgreSQL LISTEN/NOTIFY between
 * them). Changes made on instance A reach subscribers on instance B, re-read under the
 * subscriber's rights; other tenants hear nothing; a revoked token stops hearing.
 *
 * No timings: how fast an event arrives is measured in bench/, not here. Deadlines only catch a
 * hang. A test that a subscriber hears nothing first waits for a control subscriber to hear the
 * very event, so that a dead event bus cannot make it pass.
 */

/** Long enough for any loaded machine: it only turns a hang into a failure. */
const HANG_MS = 10_000;
/** How long a subscriber that must hear nothing is watched, once its control heard the event. */
const QUIET_MS = 500;

type Event = { data?: { agendaChanged: AgendaChangeData } | null; errors?: unknown[] };

interface Side {
  tenant: TestTenant;
  scheduler: { userId: string; token: string };
  viewer: { userId: string; token: string };
  centre: CentreWithSchedules;
  slots: SlotAllocator;
}

describe('live agenda over two instances', () => {
  let a: TestServer;
  let b: TestServer;
  let one: Side;
  let two: Side;
  const connections: WsConnection[] = [];

  async function side(): Promise<Side> {
    const tenant = await createTenant(a);
    const scheduler = await createStaff(a, tenant, ['SCHEDULER']);
    const viewer = await createStaff(a, tenant, ['VIEWER']);
    const centre = await createCentreWithSchedules(a, tenant, { schedules: 1, openingHours: everyDay('08:00', '17:00'), services: [{ durationMinutes: 30 }] });
    return { tenant, scheduler, viewer, centre, slots: new SlotAllocator(centre.scheduleIds, { firstDay: 2 }) };
  }

  beforeAll(async () => {
    a = await startTestServer();
    b = await startTestServer({ databaseUrl: a.databaseUrl });
    one = await side();
    two = await side();
  });
  afterAll(async () => {
    for (const connection of connections) await connection.dispose().catch(() => undefined);
    await b?.close();
    await a?.close();
  });

  const connect = (server: TestServer, token?: string) => {
    const connection = connectWs(server.url, token);
    connections.push(connection);
    return connection;
  };

  /** Books on instance A in `who`'s centre. */
  const bookOn = (who: Side, server: TestServer = a) =>
    bookOk(server, who.scheduler.token, { ...who.slots.next(), serviceId: who.centre.serviceIds[0], newPatient: { familyName: 'Live', givenName: 'Agenda' } });

  /** The next event of this subscription about `appointmentId` (others are skipped); `ms` only catches a hang. */
  async function eventAbout(subscription: QueuedSubscription<Event>, appointmentId: string, ms = HANG_MS): Promise<AgendaChangeData> {
    const deadline = Date.now() + ms;
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no event about ${appointmentId} within ${ms} ms`);
      const event = await subscription.next(left);
      expect(event.errors).toBeUndefined();
      if (event.data?.agendaChanged.appointmentId === appointmentId) return event.data.agendaChanged;
    }
  }

  /**
   * graphql-ws does not acknowledge a subscription: book in the subscriber's centre until one
   * event arrives, so the subscription is known to be live before the test proper.
   */
  async function untilLive(subscription: QueuedSubscription<Event>, who: Side): Promise<void> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const warmUp = await bookOn(who);
      if (subscription.errors.length || subscription.completed) break;
      try {
        await eventAbout(subscription, warmUp.id, 500);
        return;
      } catch {
        // not live yet
      }
    }
    throw new Error(`subscription never became live (completed: ${subscription.completed}, errors: ${JSON.stringify(subscription.errors)})`);
  }

  async function subscribeLive(server: TestServer, token: string, who: Side, centreId = who.centre.centreId): Promise<QueuedSubscription<Event>> {
    const subscription = subscribeQueued<Event>(connect(server, token).client, agendaChanged(centreId));
    await untilLive(subscription, who);
    await drain(subscription); // late warm-up events
    return subscription;
  }

  async function drain(subscription: QueuedSubscription<Event>): Promise<void> {
    await sleep(100);
    while (!(await subscription.nothingWithin(0))) await subscription.next(10);
  }

  /**
   * Books in `who`'s centre and waits until each subscription heard of it: events arrive in order,
   * so everything booked before is behind them (their queues are empty afterwards).
   */
  async function fence(who: Side, ...subscriptions: Array<QueuedSubscription<Event>>): Promise<void> {
    const booked = await bookOn(who);
    for (const subscription of subscriptions) await eventAbout(subscription, booked.id);
    for (const subscription of subscriptions) expect(await subscription.nothingWithin(0)).toBe(true);
  }

  /** Waits for `condition`; the deadline only catches a hang. */
  async function until(condition: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + HANG_MS;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`still not so after ${HANG_MS} ms: ${what}`);
      await sleep(20);
    }
  }

  async function tokenIdOf(who: Side, userId: string): Promise<string> {
    const data = await gqlOk<{ apiTokens: { nodes: Array<{ id: string }> } }>(a, 'query($u: ID) { apiTokens(userId: $u) { nodes { id } } }', { u: userId }, who.tenant.adminToken);
    expect(data.apiTokens.nodes).toHaveLength(1);
    return data.apiTokens.nodes[0]!.id;
  }

  it('delivers CREATED on instance B of a booking on instance A, with the appointment re-read (a VIEWER subscribes)', async () => {
    const subscription = await subscribeLive(b, one.viewer.token, one);
    const booked = await bookOn(one);
    const event = await eventAbout(subscription, booked.id);
    const { scheduleId, ...rest } = event;
    expect([null, booked.scheduleId]).toContain(scheduleId);
    expect(rest).toEqual({
      kind: 'CREATED', centreId: one.centre.centreId, appointmentId: booked.id, linkId: null,
      interval: { start: sameInstant(booked.start), end: sameInstant(booked.end) },
      appointment: {
        id: booked.id, status: 'BOOKED', start: sameInstant(booked.start), end: sameInstant(booked.end), scheduleId: booked.scheduleId, viaShare: false, cancellation: null,
      },
    });
  });

  it('delivers CHANGED (confirm, reschedule) and CANCELLED, each re-read', async () => {
    const subscription = await subscribeLive(b, one.viewer.token, one);
    const booked = await bookOn(one);
    expect((await eventAbout(subscription, booked.id)).kind).toBe('CREATED');

    await gqlOk(a, 'mutation($input: ConfirmAppointmentInput!) { confirmAppointment(input: $input) { id } }', { input: { appointmentId: booked.id } }, one.scheduler.token);
    expect(await eventAbout(subscription, booked.id)).toMatchObject({ kind: 'CHANGED', appointmentId: booked.id, appointment: { id: booked.id, status: 'CONFIRMED' } });

    const target = one.slots.next().start;
    const moved = await reschedule(a, one.scheduler.token, { appointmentId: booked.id, start: target, idempotencyKey: key() });
    expect(moved.data!.rescheduleAppointment.__typename).toBe('Appointment');
    expect(await eventAbout(subscription, booked.id)).toMatchObject({ kind: 'CHANGED', appointment: { id: booked.id, status: 'BOOKED', start: sameInstant(target) } });

    await cancel(a, one.scheduler.token, { appointmentId: booked.id, reasonCode: 'PATIENT_REQUEST', idempotencyKey: key() });
    expect(await eventAbout(subscription, booked.id)).toMatchObject({
      kind: 'CANCELLED', appointmentId: booked.id, appointment: { id: booked.id, status: 'CANCELLED', cancellation: { reasonCode: 'PATIENT_REQUEST' } },
    });
  });

  it('delivers on the instance where the change was made too', async () => {
    const subscription = await subscribeLive(a, one.viewer.token, one);
    const booked = await bookOn(one, b);
    expect(await eventAbout(subscription, booked.id)).toMatchObject({ kind: 'CREATED', appointment: { id: booked.id, status: 'BOOKED' } });
  });

  it('sends nothing to another tenant\'s subscriber, and refuses it the foreign centre with NOT_FOUND', async () => {
    // Control: a subscriber of the booked centre on the same instance hears the booking.
    const own = await subscribeLive(b, one.viewer.token, one);
    const stranger = await subscribeLive(b, two.viewer.token, two);
    const booked = await bookOn(one);
    await eventAbout(own, booked.id);
    expect(await stranger.nothingWithin(QUIET_MS)).toBe(true);

    const foreign = await firstOutcome(subscribeQueued(connect(b, two.viewer.token).client, agendaChanged(one.centre.centreId)), HANG_MS);
    expect({ codes: outcomeCodes(foreign), outcome: foreign }).toEqual({ codes: ['NOT_FOUND'], outcome: foreign });
    expect(foreign.kind === 'next' ? foreign.payload.data ?? null : null).toBeNull();
  });

  it('sends nothing about another centre of the same tenant', async () => {
    const otherCentre = await createCentreWithSchedules(a, one.tenant, { schedules: 1, openingHours: everyDay('08:00', '17:00'), services: [{ durationMinutes: 30 }] });
    const elsewhere: Side = { ...one, centre: otherCentre, slots: new SlotAllocator(otherCentre.scheduleIds, { firstDay: 2 }) };
    const subscription = await subscribeLive(b, one.viewer.token, elsewhere);
    // Control: a subscriber of the booked centre on the same instance, with the same token, hears the booking.
    const control = await subscribeLive(b, one.viewer.token, one);
    const booked = await bookOn(one);
    await eventAbout(control, booked.id);
    expect(await subscription.nothingWithin(QUIET_MS)).toBe(true);
  });

  describe('revocation', () => {
    it('stops a subscriber whose token is revoked: the next booking sends it nothing and its subscription completes', async () => {
      const staff = await createStaff(a, one.tenant, ['VIEWER']);
      const doomed = await subscribeLive(b, staff.token, one);
      const control = await subscribeLive(b, one.viewer.token, one);
      await fence(one, doomed, control); // the control's warm-up bookings reached the doomed one too
      await gqlOk(a, 'mutation($input: RevokeApiTokenInput!) { revokeApiToken(input: $input) { revokedAt } }', { input: { id: await tokenIdOf(one, staff.userId) } }, one.tenant.adminToken);
      const booked = await bookOn(one);
      await eventAbout(control, booked.id);
      expect(await doomed.nothingWithin(QUIET_MS)).toBe(true);
      await until(() => doomed.completed, 'the revoked subscription completes');
      expect(doomed.log.filter((entry) => JSON.stringify(entry.value ?? null).includes(booked.id))).toEqual([]);
    });

    it('completes the subscription of a revoked token without waiting for the next agenda event ("stop at once")', async () => {
      const staff = await createStaff(a, one.tenant, ['VIEWER']);
      const doomed = await subscribeLive(b, staff.token, one);
      await gqlOk(a, 'mutation($input: RevokeApiTokenInput!) { revokeApiToken(input: $input) { revokedAt } }', { input: { id: await tokenIdOf(one, staff.userId) } }, one.tenant.adminToken);
      // No booking follows: only the revocation can complete it.
      await until(() => doomed.completed, 'the revoked subscription completes');
      expect(doomed.errors).toEqual([]);
    });

    it('refuses new operations (a read, a booking) on the open WebSocket of a revoked token', async () => {
      const staff = await createStaff(a, one.tenant, ['SCHEDULER']);
      const connection = connect(b, staff.token);
      const before = await runOnWs(connection, '{ appointments(first: 1) { nodes { id } } }');
      expect(before.results[0]?.errors).toBeUndefined();
      // A live subscription on this very connection: it completes when instance B has heard of the
      // revocation (the same bus message evicts the token from B's authenticator).
      const watching = subscribeQueued<Event>(connection.client, agendaChanged(one.centre.centreId));
      await untilLive(watching, one);
      await gqlOk(a, 'mutation($input: RevokeApiTokenInput!) { revokeApiToken(input: $input) { revokedAt } }', { input: { id: await tokenIdOf(one, staff.userId) } }, one.tenant.adminToken);
      await until(() => watching.completed, 'instance B hears of the revocation (the subscription on the connection completes)');
      const refused = (outcome: Awaited<ReturnType<typeof runOnWs>>) =>
        outcome.closed !== undefined || [...(outcome.errors ?? []), ...(outcome.results[0]?.errors ?? [])].some((e) => e.extensions?.code === 'UNAUTHENTICATED');
      const read = await runOnWs(connection, '{ appointments(first: 1) { nodes { id } } }');
      const booking = await runOnWs(connection, 'mutation($input: BookAppointmentInput!) { bookAppointment(input: $input) { __typename ... on Appointment { id } } }', {
        input: { ...one.slots.next(), serviceId: one.centre.serviceIds[0], newPatient: { familyName: 'Live', givenName: 'Revoked' }, idempotencyKey: key() },
      });
      if (!refused(read) || !refused(booking)) {
        throw new Error(`a revoked token still works on its open WebSocket: read → ${JSON.stringify(read)}, booking → ${JSON.stringify(booking)}`);
      }
    });
  });

  describe('connecting', () => {
    it('closes an unauthenticated WebSocket connection with 4403', async () => {
      const connection = connect(b);
      expect((await connection.closed).code).toBe(4403);
    });

    it('closes a connection with a revoked token with 4403', async () => {
      const staff = await createStaff(a, one.tenant, ['VIEWER']);
      await gqlOk(a, 'mutation($input: RevokeApiTokenInput!) { revokeApiToken(input: $input) { revokedAt } }', { input: { id: await tokenIdOf(one, staff.userId) } }, one.tenant.adminToken);
      expect((await connect(b, staff.token).closed).code).toBe(4403);
    });

    it('lets a VIEWER subscribe (and a SCHEDULER)', async () => {
      for (const token of [one.viewer.token, one.scheduler.token]) {
        const subscription = await subscribeLive(b, token, one);
        expect(subscription.errors).toEqual([]);
      }
    });
  });
});
