import WebSocket from 'ws';
import { gqlOk } from '../helpers/graphql-client';
import { agendaExecutions, CANARY, executionKey, FanoutTestResolver } from '../helpers/test-resolvers';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { connectWs, type WsConnection } from '../helpers/ws-client';
import { createCentreWithSchedules, everyDay, type CentreWithSchedules } from '../factories/catalog';
import { createStaff, createTenant, type TestTenant } from '../factories/tenants';
import { SlotAllocator, bookOk, sleep, subscribeQueued, type QueuedSubscription } from '../support/scheduling';

/**
 * Many subscribers on one agenda: an event is executed once per group of subscribers with the
 * same operation (text, variables, name) and the same rights, and that one answer goes to each of
 * them; everyone else gets an execution of their own. Each subscriber keeps its own filter and
 * re-authorisation: revoking or completing one ends that one only.
 *
 * No timings (bench/ measures latency): deadlines only catch a hang, and a subscriber that must
 * receive nothing is looked at only after a control subscriber received the very event.
 */

/** Long enough for any loaded machine: it only turns a hang into a failure. */
const HANG_MS = 10_000;
/** How long a subscriber that must receive nothing is watched, once its controls received the event. */
const QUIET_MS = 500;

interface Change {
  kind: string;
  appointmentId: string | null;
  appointment?: { id: string; status: string } | null;
  testSeenBy?: string;
  testExecution?: number;
  testEcho?: string;
  testCanary?: string | null;
}
type Event = { data?: { agendaChanged: Change } | null; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };

/** Each test tags its operations: executions are counted per tag, and other tests' subscribers are in other groups. */
const fields = (tag: string) => `kind appointmentId appointment { id status start end } testSeenBy testExecution(tag: "${tag}")`;
const watch = (selection: string) => `subscription Watch($centreId: ID!) { agendaChanged(centreId: $centreId) { ${selection} } }`;
const echo = (tag: string) =>
  `subscription Echo($centreId: ID!, $value: String!) { agendaChanged(centreId: $centreId) { kind appointmentId testExecution(tag: "${tag}") testEcho(value: $value) } }`;

describe('live agenda fan-out', () => {
  let a: TestServer;
  let tenant: TestTenant;
  let centre: CentreWithSchedules;
  let slots: SlotAllocator;
  let scheduler: { userId: string; token: string };
  const connections: WsConnection[] = [];
  const sockets: WebSocket[] = [];

  beforeAll(async () => {
    a = await startTestServer({ extraResolvers: [FanoutTestResolver] });
    tenant = await createTenant(a);
    scheduler = await createStaff(a, tenant, ['SCHEDULER']);
    centre = await createCentreWithSchedules(a, tenant, { schedules: 1, openingHours: everyDay('08:00', '17:00'), services: [{ durationMinutes: 30 }] });
    slots = new SlotAllocator(centre.scheduleIds, { firstDay: 2 });
  });
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.terminate();
    for (const connection of connections.splice(0)) await connection.dispose().catch(() => undefined);
  });
  afterAll(async () => {
    await a?.close();
  });

  const book = () => bookOk(a, scheduler.token, { ...slots.next(), serviceId: centre.serviceIds[0], newPatient: { familyName: 'Fan', givenName: 'Out' } });

  function subscribe(token: string, query: string, variables: Record<string, unknown> = {}): QueuedSubscription<Event> {
    const connection = connectWs(a.url, token);
    connections.push(connection);
    return subscribeQueued<Event>(connection.client, query, { centreId: centre.centreId, ...variables });
  }

  /** The next event of this subscription about `appointmentId` (others are skipped); `ms` only catches a hang. */
  async function eventAbout(subscription: QueuedSubscription<Event>, appointmentId: string, ms = HANG_MS): Promise<Event> {
    const deadline = Date.now() + ms;
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no event about ${appointmentId} within ${ms} ms (completed: ${subscription.completed}, errors: ${JSON.stringify(subscription.errors)})`);
      const event = await subscription.next(left);
      if (event.data?.agendaChanged.appointmentId === appointmentId) return event;
    }
  }

  /** graphql-ws does not acknowledge a subscription: book until every one of them hears of it. */
  async function untilLive(subscriptions: Array<QueuedSubscription<Event>>): Promise<void> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const warmUp = await book();
      const heard = await Promise.all(subscriptions.map((s) => eventAbout(s, warmUp.id, 500).then(() => true, () => false)));
      if (heard.every(Boolean)) {
        await sleep(100);
        for (const subscription of subscriptions) while (!(await subscription.nothingWithin(0))) await subscription.next(10);
        return;
      }
    }
    throw new Error('the subscriptions never became live');
  }

  /** Waits for `condition`; the deadline only catches a hang. */
  async function until(condition: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + HANG_MS;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`still not so after ${HANG_MS} ms: ${what}`);
      await sleep(20);
    }
  }

  async function revoke(userId: string): Promise<void> {
    const tokens = await gqlOk<{ apiTokens: { nodes: Array<{ id: string }> } }>(a, 'query($u: ID) { apiTokens(userId: $u) { nodes { id } } }', { u: userId }, tenant.adminToken);
    await gqlOk(a, 'mutation($input: RevokeApiTokenInput!) { revokeApiToken(input: $input) { revokedAt } }', { input: { id: tokens.apiTokens.nodes[0]!.id } }, tenant.adminToken);
  }

  it('executes an event once for subscribers with the same operation and the same rights, and sends each the same answer', async () => {
    const colleague = await createStaff(a, tenant, ['SCHEDULER']);
    // The same token twice (two connections), and another user with the same role.
    const query = watch(fields('same'));
    const subscriptions = [subscribe(scheduler.token, query), subscribe(scheduler.token, query), subscribe(colleague.token, query)];
    await untilLive(subscriptions);

    const booked = await book();
    const events = await Promise.all(subscriptions.map((s) => eventAbout(s, booked.id)));
    expect(events[0]).toEqual({
      data: { agendaChanged: expect.objectContaining({ kind: 'CREATED', appointmentId: booked.id, appointment: expect.objectContaining({ id: booked.id, status: 'BOOKED' }), testSeenBy: 'SCHEDULER', testExecution: 1 }) },
    });
    expect(events[1]).toEqual(events[0]);
    expect(events[2]).toEqual(events[0]);
    expect(agendaExecutions.get(executionKey(booked.id, 'same'))).toBe(1);
  });

  it('gives subscribers with other rights, another selection or other variables an execution and an answer of their own', async () => {
    const viewer = await createStaff(a, tenant, ['VIEWER']);
    const both = await createStaff(a, tenant, ['VIEWER', 'SCHEDULER']);
    const asScheduler = subscribe(scheduler.token, watch(fields('own')));
    const asViewer = subscribe(viewer.token, watch(fields('own')));
    const asBoth = subscribe(both.token, watch(fields('own')));
    const echoOne = subscribe(scheduler.token, echo('own'), { value: 'one' });
    const echoTwo = subscribe(scheduler.token, echo('own'), { value: 'two' });
    const narrower = subscribe(scheduler.token, watch('kind appointmentId testExecution(tag: "own")'));
    const all = [asScheduler, asViewer, asBoth, echoOne, echoTwo, narrower];
    await untilLive(all);

    const booked = await book();
    const [scheduler1, viewer1, both1, one, two, narrow] = (await Promise.all(all.map((s) => eventAbout(s, booked.id)))).map((event) => {
      expect(event.errors).toBeUndefined();
      return event.data!.agendaChanged;
    });
    expect([scheduler1!.testSeenBy, viewer1!.testSeenBy, both1!.testSeenBy]).toEqual(['SCHEDULER', 'VIEWER', 'SCHEDULER,VIEWER']);
    for (const change of [scheduler1, viewer1, both1]) expect(change!.appointment).toMatchObject({ id: booked.id, status: 'BOOKED' });
    expect([one!.testEcho, two!.testEcho]).toEqual(['one', 'two']);
    expect(narrow).toEqual({ kind: 'CREATED', appointmentId: booked.id, testExecution: expect.any(Number) });
    expect(new Set([scheduler1, viewer1, both1, one, two, narrow].map((change) => change!.testExecution))).toEqual(new Set([1, 2, 3, 4, 5, 6]));
    expect(agendaExecutions.get(executionKey(booked.id, 'own'))).toBe(6);
  });

  it('ends only the subscriber whose token is revoked; the others of its group go on', async () => {
    const doomedUser = await createStaff(a, tenant, ['VIEWER']);
    const survivorUser = await createStaff(a, tenant, ['VIEWER']);
    const query = watch(fields('revoked'));
    const doomed = subscribe(doomedUser.token, query);
    const survivor = subscribe(survivorUser.token, query);
    const sameTokenAsSurvivor = subscribe(survivorUser.token, query);
    await untilLive([doomed, survivor, sameTokenAsSurvivor]);

    await revoke(doomedUser.userId);
    const booked = await book();
    const [heard, heardToo] = await Promise.all([eventAbout(survivor, booked.id), eventAbout(sameTokenAsSurvivor, booked.id)]);
    expect(heard.data!.agendaChanged).toMatchObject({ appointmentId: booked.id, testSeenBy: 'VIEWER', testExecution: 1 });
    expect(heardToo).toEqual(heard);
    expect(agendaExecutions.get(executionKey(booked.id, 'revoked'))).toBe(1);
    expect(await doomed.nothingWithin(QUIET_MS)).toBe(true);
    await until(() => doomed.completed, 'the revoked subscription completes');
    expect(doomed.log.filter((entry) => entry.type === 'next' && JSON.stringify(entry.value).includes(booked.id))).toEqual([]);
  });

  it('masks an error of a shared execution for every subscriber alike, with one request id', async () => {
    const subscriptions = [subscribe(scheduler.token, watch('kind appointmentId testCanary')), subscribe(scheduler.token, watch('kind appointmentId testCanary'))];
    await untilLive(subscriptions);

    const booked = await book();
    const events = await Promise.all(subscriptions.map((s) => eventAbout(s, booked.id)));
    for (const event of events) {
      expect(JSON.stringify(event)).not.toContain(CANARY);
      expect(event.data!.agendaChanged).toEqual({ kind: 'CREATED', appointmentId: booked.id, testCanary: null });
      expect(event.errors).toEqual([expect.objectContaining({ path: ['agendaChanged', 'testCanary'], extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: expect.any(String) } })]);
    }
    expect(events[1]).toEqual(events[0]);
  });

  describe('on the wire', () => {
    /** A raw graphql-transport-ws connection: every text frame as received, byte for byte. */
    async function rawConnection(token: string): Promise<{ socket: WebSocket; frames: string[] }> {
      const socket = new WebSocket(`${a.url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
      sockets.push(socket);
      const frames: string[] = [];
      socket.on('message', (data, isBinary) => frames.push(isBinary ? `binary: ${String(data)}` : String(data)));
      await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
      socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
      while (!frames.some((frame) => frame.includes('"connection_ack"'))) await sleep(10);
      return { socket, frames };
    }
    const subscribeRaw = (socket: WebSocket, id: string) =>
      socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query: watch(fields('wire')), variables: { centreId: centre.centreId } } }));
    const about = (frames: string[], id: string, appointmentId: string) =>
      frames.filter((frame) => frame.startsWith(`{"id":${JSON.stringify(id)},"type":"next"`) && frame.includes(appointmentId));
    /**
     * A ping through the connection: the server handles its messages in order, so its pong means
     * every message sent before (a `complete`) has been handled.
     */
    let pings = 0;
    async function roundTrip(socket: WebSocket, frames: string[]): Promise<void> {
      const pong = JSON.stringify({ type: 'pong', payload: { ping: ++pings } });
      socket.send(JSON.stringify({ type: 'ping', payload: { ping: pings } }));
      await until(() => frames.includes(pong), `the pong to ping ${pings}`);
    }

    it('sends each subscriber of a group the same payload in the frame graphql-ws would send, and nothing more to one that completed', async () => {
      const { socket, frames } = await rawConnection(scheduler.token);
      subscribeRaw(socket, 'first');
      subscribeRaw(socket, 'second');
      const client = subscribe(scheduler.token, watch(fields('wire')));
      for (let attempt = 0; ; attempt++) {
        if (attempt === 20) throw new Error(`the raw subscriptions never became live: ${frames.join('\n')}`);
        const warmUp = await book();
        await eventAbout(client, warmUp.id, 2000).catch(() => undefined); // a probe: not live yet, book again
        await sleep(100);
        if (about(frames, 'first', warmUp.id).length && about(frames, 'second', warmUp.id).length) break;
      }

      const booked = await book();
      const fromClient = await eventAbout(client, booked.id);
      await until(() => about(frames, 'second', booked.id).length > 0, 'the second subscription receives the booking');
      const [first, second] = [about(frames, 'first', booked.id), about(frames, 'second', booked.id)];
      expect([first.length, second.length]).toEqual([1, 1]);
      const payload = JSON.parse(second[0]!).payload;
      expect(payload).toEqual(fromClient);
      // Byte for byte graphql-ws's own serialisation, around one shared payload.
      expect(second[0]).toBe(JSON.stringify({ id: 'second', type: 'next', payload }));
      expect(first[0]).toBe(JSON.stringify({ id: 'first', type: 'next', payload }));
      expect(agendaExecutions.get(executionKey(booked.id, 'wire'))).toBe(1);

      socket.send(JSON.stringify({ id: 'first', type: 'complete' }));
      await roundTrip(socket, frames);
      const after = await book();
      // Controls: the other subscriber on this socket, and the client, receive it.
      await eventAbout(client, after.id);
      await until(() => about(frames, 'second', after.id).length > 0, 'the second subscription receives the booking');
      await sleep(QUIET_MS);
      expect(about(frames, 'first', after.id)).toEqual([]);
      expect(frames.filter((frame) => frame.startsWith('binary') || frame.includes('"error"'))).toEqual([]);

      // The id is free again: subscribing with it joins the group anew.
      subscribeRaw(socket, 'first');
      for (let attempt = 0; ; attempt++) {
        if (attempt === 20) throw new Error('the renewed subscription never became live');
        const again = await book();
        await sleep(200);
        if (about(frames, 'first', again.id).length === 1) break;
      }
    });
  });
});
