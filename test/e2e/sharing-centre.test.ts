import { DateTime } from 'luxon';
import { randomUUID } from 'node:crypto';
import { withPgClient } from '../../src/db/pg-client';
import { errorCode, gql, gqlOk, type GraphQLResponse } from '../helpers/graphql-client';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { connectWs, type WsConnection } from '../helpers/ws-client';
import { runOnWs } from '../helpers/ws-operation';
import { createCentre, createCentreWithSchedules, createSchedule, createService, everyDay, type CentreWithSchedules } from '../factories/catalog';
import {
  PEER_OCCUPANCY, coveredMs, createShare, createShareOk, listShares, peerAvailability, peerAvailabilityOk, peerBook, peerBookInput,
  peerCancel, peerShare, revokeShare, rotateShare, updateShare, type CreatedShareData, type PeerAvailabilityData, type PeerInterval,
} from '../factories/sharing';
import { createStaff, createTenant, type TestTenant } from '../factories/tenants';
import {
  STOCKHOLM, SlotAllocator, bookOk, errorFields, firstOutcome, key, localAt, outcomeCodes, readAppointment, sleep, subscribeQueued, type QueuedSubscription,
} from '../support/scheduling';
import { tokenSecret } from '../helpers/token-secret';
import { FORGED_CURSORS, secondsApart, setCreatedAt, walkPages } from '../helpers/pages';

/**
 * The sharing centre's side of schedule sharing (README: Sharing schedules): shares with
 * restrictions and a link token, and the peer API another careslot server calls with that token —
 * here over real HTTP and WebSockets against one server.
 */

type OccupancyEvent = { data?: { peerOccupancyChanged: { scheduleId: string; kind: string; clientReference: string | null } } | null; errors?: unknown[] };

const DAY_MS = 86_400_000;

describe('sharing centre', () => {
  let app: TestServer;
  let sharing: TestTenant;
  let other: TestTenant;
  let scheduler: { userId: string; token: string };
  /** Three schedules: the first two are shared, the third never is. Services: A (30 min), B (60 min). */
  let centre: CentreWithSchedules;
  let shared: string[];
  let unshared: string;
  let serviceA: string;
  let serviceB: string;
  /** Distinct one-hour slots on the first shared schedule, from ten days ahead. */
  let slots: SlotAllocator;
  const connections: WsConnection[] = [];

  beforeAll(async () => {
    app = await startTestServer();
    sharing = await createTenant(app);
    other = await createTenant(app);
    scheduler = await createStaff(app, sharing, ['SCHEDULER']);
    centre = await createCentreWithSchedules(app, sharing, {
      name: 'Sharing Centre', schedules: 3, slotMinutes: 15, openingHours: everyDay('08:00', '17:00'),
      services: [{ durationMinutes: 30 }, { durationMinutes: 60 }],
    });
    shared = centre.scheduleIds.slice(0, 2);
    unshared = centre.scheduleIds[2];
    [serviceA, serviceB] = centre.serviceIds;
    slots = new SlotAllocator([shared[0]], { firstDay: 10, durationMinutes: 60 });
  });
  afterAll(async () => {
    for (const connection of connections) await connection.dispose().catch(() => undefined);
    await app?.close();
  });

  const share = (restrictions: Record<string, unknown> = {}, scheduleIds = shared) =>
    createShareOk(app, sharing, { centreId: centre.centreId, scheduleIds, restrictions });
  const connect = (token?: string) => {
    const connection = connectWs(app.url, token);
    connections.push(connection);
    return connection;
  };
  const auditActions = (tenant: TestTenant, entityId: string) =>
    withPgClient(app.databaseUrl, async (client) =>
      (await client.query('SELECT action, actor_kind AS "actorKind", actor_id AS "actorId", details FROM audit_events WHERE tenant_id = $1 AND entity_id = $2 ORDER BY occurred_at',
        [tenant.tenantId, entityId])).rows as Array<{ action: string; actorKind: string; actorId: string | null; details: Record<string, unknown> }>);
  const shareCount = (tenant: TestTenant) =>
    withPgClient(app.databaseUrl, async (client) => Number((await client.query('SELECT count(*) FROM schedule_shares WHERE tenant_id = $1', [tenant.tenantId])).rows[0].count));
  const week = () => ({ from: localAt(1, 0), to: localAt(8, 0) });
  const bookedOk = async (linkToken: string, spec: Parameters<typeof peerBookInput>[0]) => {
    const response = await peerBook(app, linkToken, peerBookInput(spec));
    expect(response.errors).toBeUndefined();
    expect(response.data!.peerBook.__typename).toBe('PeerBooking');
    return response.data!.peerBook as { appointmentId: string; start: string; end: string };
  };
  const refusal = async (linkToken: string, spec: Parameters<typeof peerBookInput>[0]) => {
    const response = await peerBook(app, linkToken, peerBookInput(spec));
    expect(response.errors).toBeUndefined();
    const result = response.data!.peerBook;
    return result.__typename === 'ShareRefused' ? result.reason : result.__typename;
  };
  const within = (intervals: PeerInterval[], from: string, to: string) =>
    intervals.every((interval) => Date.parse(interval.start) >= Date.parse(from) && Date.parse(interval.end) <= Date.parse(to));
  const freeSlots = (rows: PeerAvailabilityData[]) => rows.flatMap((row) => (row.slots ?? []).filter((slot) => slot.state === 'FREE'));

  /** graphql-ws does not acknowledge a subscription: poke the share until one event arrives. */
  async function subscribeLive(linkToken: string, shareId: string): Promise<QueuedSubscription<OccupancyEvent>> {
    const subscription = subscribeQueued<OccupancyEvent>(connect(linkToken).client, PEER_OCCUPANCY);
    for (let attempt = 0; attempt < 20; attempt++) {
      await gqlOk(app, 'mutation($input: UpdateScheduleShareInput!) { updateScheduleShare(input: $input) { id } }', { input: { id: shareId, label: `poke ${attempt}` } }, sharing.adminToken);
      if (!(await subscription.nothingWithin(300))) {
        await sleep(100);
        while (!(await subscription.nothingWithin(0))) await subscription.next(10);
        return subscription;
      }
      if (subscription.errors.length || subscription.completed) break;
    }
    throw new Error(`subscription never became live (completed: ${subscription.completed}, errors: ${JSON.stringify(subscription.errors)})`);
  }

  async function untilCompleted(subscription: { completed: boolean }, ms = 1500): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (!subscription.completed && Date.now() < deadline) await sleep(25);
    return subscription.completed;
  }

  describe('managing shares (ADMIN)', () => {
    it('creates a share: the token once, the server URL and centre id to hand over, the restrictions, an audit record', async () => {
      const windows = [{ weekday: 1, startTime: '08:00', endTime: '12:00' }, { weekday: 5, startTime: '13:00', endTime: '24:00' }];
      const created = await share({ allowedServiceIds: [serviceA], earliestDaysAhead: 1, latestDaysAhead: 30, weeklyWindows: windows, dailyQuota: 3 });
      expect(created.token).toMatch(/^csl_[0-9a-f]{64}_[A-Za-z0-9_-]{43}$/);
      expect(created.serverUrl).toBe(app.url);
      expect(created.centreId).toBe(centre.centreId);
      expect(created.share).toMatchObject({
        centreId: centre.centreId, scheduleIds: [...shared].sort(), active: true, revokedAt: null, tokenRotatedAt: null, serverUrl: app.url,
        restrictions: { allowedServiceIds: [serviceA], earliestDaysAhead: 1, latestDaysAhead: 30, weeklyWindows: windows, dailyQuota: 3 },
      });
      expect(created.share.displayPrefix).toBe(`csl_…${created.share.id.replace(/-/g, '').slice(0, 8)}`);

      const listed = await listShares(app, sharing.adminToken, centre.centreId);
      expect(listed.errors).toBeUndefined();
      const mine = listed.data!.scheduleShares.nodes.find((s) => s.id === created.share.id);
      expect(mine).toEqual(created.share);
      const secret = tokenSecret(created.token);
      expect(JSON.stringify(listed.data)).not.toContain(secret);

      expect(await auditActions(sharing, created.share.id)).toEqual([
        expect.objectContaining({ action: 'schedule-share.created', actorKind: 'STAFF_USER', actorId: sharing.adminUserId }),
      ]);
    });

    it('takes defaults for omitted restrictions', async () => {
      const created = await createShareOk(app, sharing, { centreId: centre.centreId, scheduleIds: [shared[0]] });
      expect(created.share.restrictions).toEqual({ allowedServiceIds: [], earliestDaysAhead: 0, latestDaysAhead: 90, weeklyWindows: [], dailyQuota: null });
    });

    it('refuses bad input field by field and stores nothing', async () => {
      const otherCentre = await createCentreWithSchedules(app, sharing, { schedules: 1 });
      const unofferedService = await createService(app, sharing, { durationMinutes: 20 });
      const before = await shareCount(sharing);
      const base = { centreId: centre.centreId, scheduleIds: shared, label: 'Client' };
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ scheduleIds: [] }, 'input.scheduleIds'],
        [{ label: '' }, 'input.label'],
        [{ scheduleIds: ['not-a-uuid'] }, 'input.scheduleIds[0]'],
        [{ restrictions: { weeklyWindows: [{ weekday: 8, startTime: '08:00', endTime: '12:00' }] } }, 'input.restrictions.weeklyWindows[0].weekday'],
        [{ restrictions: { weeklyWindows: [{ weekday: 1, startTime: '12:00', endTime: '08:00' }] } }, 'input.restrictions.weeklyWindows[0].endTime'],
        [{ restrictions: { weeklyWindows: [{ weekday: 1, startTime: '8:00', endTime: '12:00' }] } }, 'input.restrictions.weeklyWindows[0].startTime'],
        [{ restrictions: { earliestDaysAhead: -1 } }, 'input.restrictions.earliestDaysAhead'],
        [{ restrictions: { earliestDaysAhead: 10, latestDaysAhead: 5 } }, 'input.restrictions.latestDaysAhead'],
        [{ restrictions: { dailyQuota: 0 } }, 'input.restrictions.dailyQuota'],
        [{ scheduleIds: [shared[0], otherCentre.scheduleIds[0]] }, 'input.scheduleIds'],
        [{ restrictions: { allowedServiceIds: [unofferedService] } }, 'input.restrictions.allowedServiceIds'],
      ];
      for (const [change, field] of cases) {
        const response = await createShare(app, sharing.adminToken, { ...base, ...change });
        expect({ change, code: errorCode(response), fields: errorFields(response) }).toEqual({ change, code: 'BAD_USER_INPUT', fields: expect.arrayContaining([field]) });
      }
      expect(await shareCount(sharing)).toBe(before);
    });

    it('lets only an ADMIN manage shares', async () => {
      const created = await share();
      expect(errorCode(await createShare(app, scheduler.token, { centreId: centre.centreId, scheduleIds: shared, label: 'x' }))).toBe('FORBIDDEN');
      expect(errorCode(await listShares(app, scheduler.token))).toBe('FORBIDDEN');
      expect(errorCode(await updateShare(app, scheduler.token, { id: created.share.id, label: 'x' }))).toBe('FORBIDDEN');
      expect(errorCode(await rotateShare(app, scheduler.token, created.share.id))).toBe('FORBIDDEN');
      expect(errorCode(await revokeShare(app, scheduler.token, created.share.id))).toBe('FORBIDDEN');
      expect((await peerShare(app, created.token)).errors).toBeUndefined();
    });

    it('answers NOT_FOUND for another tenant\'s centre, schedules, services and shares, and changes nothing', async () => {
      const created = await share();
      const otherCentre = await createCentreWithSchedules(app, other, { schedules: 1 });
      const before = await shareCount(sharing);
      const notFound = [
        await createShare(app, other.adminToken, { centreId: centre.centreId, scheduleIds: shared, label: 'x' }),
        await createShare(app, other.adminToken, { centreId: otherCentre.centreId, scheduleIds: shared, label: 'x' }),
        await createShare(app, sharing.adminToken, { centreId: centre.centreId, scheduleIds: [shared[0], otherCentre.scheduleIds[0]], label: 'x' }),
        await createShare(app, sharing.adminToken, { centreId: centre.centreId, scheduleIds: shared, label: 'x', restrictions: { allowedServiceIds: [otherCentre.serviceIds[0]] } }),
        await updateShare(app, other.adminToken, { id: created.share.id, label: 'hijacked' }),
        await rotateShare(app, other.adminToken, created.share.id),
        await revokeShare(app, other.adminToken, created.share.id),
        await listShares(app, other.adminToken, centre.centreId),
        await updateShare(app, sharing.adminToken, { id: randomUUID(), label: 'x' }),
      ];
      expect(notFound.map(errorCode)).toEqual(notFound.map(() => 'NOT_FOUND'));
      expect((await listShares(app, other.adminToken, undefined, { first: 100 })).data!.scheduleShares.nodes.map((s) => s.id)).not.toContain(created.share.id);
      expect(await shareCount(sharing)).toBe(before);
      const after = (await listShares(app, sharing.adminToken, undefined, { first: 100 })).data!.scheduleShares.nodes.find((s) => s.id === created.share.id);
      expect(after).toEqual(created.share);
      expect((await peerShare(app, created.token)).errors).toBeUndefined();
    });

    it('updates the label, the schedules and the restrictions (which replace the old ones); peers see it at once', async () => {
      const created = await share({ allowedServiceIds: [serviceA], dailyQuota: 2 });
      const relabelled = await updateShare(app, sharing.adminToken, { id: created.share.id, label: 'Renamed' });
      expect(relabelled.data!.updateScheduleShare).toMatchObject({ label: 'Renamed', scheduleIds: [...shared].sort(), restrictions: { allowedServiceIds: [serviceA], dailyQuota: 2 } });
      const narrowed = await updateShare(app, sharing.adminToken, { id: created.share.id, scheduleIds: [shared[1]], restrictions: { latestDaysAhead: 14 } });
      expect(narrowed.errors).toBeUndefined();
      expect(narrowed.data!.updateScheduleShare).toMatchObject({
        label: 'Renamed', scheduleIds: [shared[1]], restrictions: { allowedServiceIds: [], earliestDaysAhead: 0, latestDaysAhead: 14, weeklyWindows: [], dailyQuota: null },
      });
      const seen = (await gqlOk(app, '{ peerShare { schedules { id } restrictions { latestDaysAhead } } }', {}, created.token)).peerShare;
      expect(seen).toEqual({ schedules: [{ id: shared[1] }], restrictions: { latestDaysAhead: 14 } });
      expect(errorCode(await updateShare(app, sharing.adminToken, { id: created.share.id, label: null }))).toBe('BAD_USER_INPUT');
      expect(errorFields(await updateShare(app, sharing.adminToken, { id: created.share.id, scheduleIds: [unshared, shared[0]], restrictions: { allowedServiceIds: [randomUUID()] } })))
        .toEqual([]); // an unknown service: NOT_FOUND, not a field problem
      expect((await auditActions(sharing, created.share.id)).map((entry) => entry.action)).toEqual(['schedule-share.created', 'schedule-share.updated', 'schedule-share.updated']);
      await revokeShare(app, sharing.adminToken, created.share.id);
      expect(errorCode(await updateShare(app, sharing.adminToken, { id: created.share.id, label: 'Again' }))).toBe('CONFLICT');
      expect(errorCode(await rotateShare(app, sharing.adminToken, created.share.id))).toBe('CONFLICT');
    });
  });

  describe('scheduleShares pages (ADMIN)', () => {
    /** Five shares of a centre of their own, made a second apart (index 4 is the newest). */
    let pagedCentre: CentreWithSchedules;
    let made: string[];
    let spread: Array<{ id: string; at: number }>;
    /** Shares of the other tenant: never in this tenant's pages. */
    let foreign: string[];

    beforeAll(async () => {
      pagedCentre = await createCentreWithSchedules(app, sharing, { name: 'Paged Centre', schedules: 1 });
      made = [];
      for (let index = 0; index < 5; index++) {
        made.push((await createShareOk(app, sharing, { centreId: pagedCentre.centreId, scheduleIds: pagedCentre.scheduleIds, label: `Paged ${index}` })).share.id);
      }
      spread = secondsApart(made);
      await setCreatedAt(app.databaseUrl, 'schedule_shares', sharing.tenantId, spread);
      const otherCentre = await createCentreWithSchedules(app, other, { schedules: 1 });
      foreign = [];
      for (let index = 0; index < 3; index++) {
        foreign.push((await createShareOk(app, other, { centreId: otherCentre.centreId, scheduleIds: otherCentre.scheduleIds })).share.id);
      }
    });

    const page = async (token: string, centreId: string | undefined, first: number, after: string | null) => {
      const response = await listShares(app, token, centreId, { first, after });
      expect(response.errors).toBeUndefined();
      return response.data!.scheduleShares;
    };

    it('pages a centre\'s five shares two at a time, newest first: three pages, each share once, none missing', async () => {
      const pages = await walkPages((after) => page(sharing.adminToken, pagedCentre.centreId, 2, after));
      expect(pages.map((current) => current.nodes.length)).toEqual([2, 2, 1]);
      expect(pages.map((current) => current.pageInfo.hasNextPage)).toEqual([true, true, false]);
      expect(pages.flatMap((current) => current.nodes.map((node) => node.id))).toEqual([...made].reverse());
      expect(pages.flatMap((current) => current.nodes.map((node) => node.label))).toEqual(['Paged 4', 'Paged 3', 'Paged 2', 'Paged 1', 'Paged 0']);
      // The same list in one page.
      expect((await page(sharing.adminToken, pagedCentre.centreId, 100, null)).nodes.map((node) => node.id)).toEqual([...made].reverse());
    });

    it('breaks ties between shares made in the same millisecond by id, across a page boundary', async () => {
      const tied = made.slice(1, 4);
      const at = spread[2]!.at;
      await setCreatedAt(app.databaseUrl, 'schedule_shares', sharing.tenantId, tied.map((id, index) => ({ id, at, microseconds: [700, 100, 400][index] })));
      const walked = (await walkPages((after) => page(sharing.adminToken, pagedCentre.centreId, 2, after))).flatMap((current) => current.nodes.map((node) => node.id));
      expect(walked).toEqual([made[4], ...[...tied].sort(), made[0]]);
    });

    it('never crosses tenants: the whole tenant list, page by page, holds its own shares only; another tenant\'s cursor shows nothing of theirs', async () => {
      const own = (await walkPages((after) => page(sharing.adminToken, undefined, 2, after))).flatMap((current) => current.nodes.map((node) => node.id));
      expect(new Set(own).size).toBe(own.length);
      expect(own).toEqual(expect.arrayContaining(made));
      for (const id of foreign) expect(own).not.toContain(id);
      const theirs = await page(other.adminToken, undefined, 1, null);
      expect(theirs.pageInfo.hasNextPage).toBe(true);
      const withTheirCursor = (await page(sharing.adminToken, undefined, 100, theirs.pageInfo.endCursor)).nodes.map((node) => node.id);
      for (const id of foreign) expect(withTheirCursor).not.toContain(id);
      const otherWalk = (await walkPages((after) => page(other.adminToken, undefined, 2, after))).flatMap((current) => current.nodes.map((node) => node.id));
      expect(otherWalk).toEqual(expect.arrayContaining(foreign));
      for (const id of made) expect(otherWalk).not.toContain(id);
    });

    it('answers a forged cursor with BAD_USER_INPUT naming `after`', async () => {
      for (const after of FORGED_CURSORS) {
        const response = await listShares(app, sharing.adminToken, pagedCentre.centreId, { first: 2, after });
        expect({ after, code: errorCode(response), fields: response.errors?.[0]?.extensions?.fields }).toEqual({ after, code: 'BAD_USER_INPUT', fields: [{ field: 'after', problems: [expect.any(String)] }] });
      }
    });

    it.each([0, -1, 101])('answers first: %i with BAD_USER_INPUT naming `first`', async (first) => {
      const response = await listShares(app, sharing.adminToken, pagedCentre.centreId, { first });
      expect(errorCode(response)).toBe('BAD_USER_INPUT');
      expect(response.errors![0]!.extensions!.fields).toEqual([{ field: 'first', problems: [expect.any(String)] }]);
    });
  });

  describe('the peer API applies the share\'s restrictions', () => {
    it('peerShare: the centre, only the shared schedules, only the allowed services, the restrictions', async () => {
      const created = await share({ allowedServiceIds: [serviceA], dailyQuota: 4 });
      const data = (await gqlOk(app, '{ peerShare { shareId centreId centreName timeZone schedules { id slotMinutes services { id durationMinutes } } restrictions { allowedServiceIds dailyQuota } } }', {}, created.token)).peerShare;
      expect(data).toEqual({
        shareId: created.share.id, centreId: centre.centreId, centreName: 'Sharing Centre', timeZone: STOCKHOLM,
        schedules: expect.arrayContaining(shared.map((id) => ({ id, slotMinutes: 15, services: [{ id: serviceA, durationMinutes: 30 }] }))),
        restrictions: { allowedServiceIds: [serviceA], dailyQuota: 4 },
      });
      expect(data.schedules).toHaveLength(2);
    });

    it('horizon: free time only from now + earliestDaysAhead to now + latestDaysAhead days; bookings outside are refused', async () => {
      const created = await share({ earliestDaysAhead: 2, latestDaysAhead: 4 });
      const before = DateTime.now().setZone(STOCKHOLM);
      const rows = await peerAvailabilityOk(app, created.token, { from: localAt(0, 0), to: localAt(7, 0), serviceId: serviceA, slots: true });
      const after = DateTime.now().setZone(STOCKHOLM);
      const free = rows.flatMap((row) => row.free);
      expect(free.length).toBeGreaterThan(0);
      expect(Math.min(...free.map((i) => Date.parse(i.start)))).toBeGreaterThanOrEqual(before.plus({ days: 2 }).toMillis() - 1000);
      expect(Math.max(...free.map((i) => Date.parse(i.end)))).toBeLessThanOrEqual(after.plus({ days: 4 }).toMillis() + 1000);
      expect(freeSlots(rows).every((slot) => Date.parse(slot.start) >= before.plus({ days: 2 }).toMillis() - 1000
        && Date.parse(slot.start) + 30 * 60_000 <= after.plus({ days: 4 }).toMillis() + 1000)).toBe(true);
      expect(free.some((i) => Date.parse(i.start) <= Date.parse(localAt(3, 10)) && Date.parse(i.end) >= Date.parse(localAt(3, 11)))).toBe(true);

      expect(await refusal(created.token, { scheduleId: shared[0], serviceId: serviceA, start: localAt(1, 10) })).toBe('OUTSIDE_HORIZON');
      expect(await refusal(created.token, { scheduleId: shared[0], serviceId: serviceA, start: localAt(5, 10) })).toBe('OUTSIDE_HORIZON');
      await bookedOk(created.token, { scheduleId: shared[0], serviceId: serviceA, start: localAt(3, 10) });
    });

    it('weekly windows: free time and FREE slots only inside them, in the centre\'s local time; bookings outside are refused', async () => {
      const day = DateTime.fromISO(localAt(2, 12)).setZone(STOCKHOLM);
      const created = await share({ weeklyWindows: [{ weekday: day.weekday, startTime: '09:00', endTime: '12:00' }] });
      const rows = await peerAvailabilityOk(app, created.token, { ...week(), serviceId: serviceA, slots: true });
      const free = rows.flatMap((row) => row.free);
      expect(free.length).toBeGreaterThan(0);
      expect(within(free, localAt(2, 9), localAt(2, 12))).toBe(true);
      expect(coveredMs(free)).toBeGreaterThan(0);
      const starts = freeSlots(rows).map((slot) => slot.start);
      expect(starts.length).toBeGreaterThan(0);
      expect(starts.every((start) => Date.parse(start) >= Date.parse(localAt(2, 9)) && Date.parse(start) <= Date.parse(localAt(2, 11, 30)))).toBe(true);

      expect(await refusal(created.token, { scheduleId: shared[1], serviceId: serviceA, start: localAt(2, 13) })).toBe('OUTSIDE_SHARED_HOURS');
      expect(await refusal(created.token, { scheduleId: shared[1], serviceId: serviceA, start: localAt(2, 11, 45) })).toBe('OUTSIDE_SHARED_HOURS');
      expect(await refusal(created.token, { scheduleId: shared[1], serviceId: serviceA, start: localAt(3, 10) })).toBe('OUTSIDE_SHARED_HOURS');
      await bookedOk(created.token, { scheduleId: shared[1], serviceId: serviceA, start: localAt(2, 11, 30) });
    });

    it('services: a service the share does not allow is free nowhere and cannot be booked; occupied time still shows', async () => {
      const created = await share({ allowedServiceIds: [serviceA] });
      const booked = await bookedOk(created.token, { scheduleId: shared[0], serviceId: serviceA, start: localAt(1, 10) });
      const forB = await peerAvailabilityOk(app, created.token, { ...week(), serviceId: serviceB, slots: true });
      expect(forB.map((row) => row.scheduleId).sort()).toEqual([...shared].sort());
      expect(forB.flatMap((row) => row.free)).toEqual([]);
      expect(freeSlots(forB)).toEqual([]);
      expect(forB.flatMap((row) => row.occupied)).toContainEqual({ start: booked.start, end: booked.end });
      const forA = await peerAvailabilityOk(app, created.token, { ...week(), serviceId: serviceA, slots: true });
      expect(forA.flatMap((row) => row.free).length).toBeGreaterThan(0);
      expect(freeSlots(forA).length).toBeGreaterThan(0);
      expect(await refusal(created.token, { scheduleId: shared[0], serviceId: serviceB, start: localAt(1, 14) })).toBe('SERVICE_NOT_SHARED');
    });

    it('daily quota: a day on which the client holds its quota shows no free time and refuses more bookings', async () => {
      const created = await share({ dailyQuota: 1 });
      const [dayStart, nextDay] = [localAt(2, 0), localAt(3, 0)];
      const first = await bookedOk(created.token, { scheduleId: shared[0], serviceId: serviceA, start: localAt(2, 15) });
      expect(await refusal(created.token, { scheduleId: shared[1], serviceId: serviceA, start: localAt(2, 16) })).toBe('DAILY_QUOTA_REACHED');
      // The sharing centre's own bookings do not count against the client's quota.
      await bookOk(app, scheduler.token, { scheduleId: shared[1], serviceId: serviceA, start: localAt(3, 16), newPatient: { familyName: 'Own', givenName: 'Booking' } });
      const rows = await peerAvailabilityOk(app, created.token, { ...week(), slots: true });
      const free = rows.flatMap((row) => row.free);
      expect(free.filter((i) => Date.parse(i.end) > Date.parse(dayStart) && Date.parse(i.start) < Date.parse(nextDay))).toEqual([]);
      expect(freeSlots(rows).filter((slot) => Date.parse(slot.start) >= Date.parse(dayStart) && Date.parse(slot.start) < Date.parse(nextDay))).toEqual([]);
      expect(free.some((i) => Date.parse(i.start) >= Date.parse(nextDay) && Date.parse(i.end) <= Date.parse(localAt(4, 0)))).toBe(true);
      expect(rows.flatMap((row) => row.occupied)).toContainEqual({ start: first.start, end: first.end });

      // A cancelled twin gives its place back.
      await peerCancel(app, created.token, { clientReference: (await readAppointmentReference(first.appointmentId)), idempotencyKey: key() });
      await bookedOk(created.token, { scheduleId: shared[1], serviceId: serviceA, start: localAt(2, 16) });
    });

    it('daily quota holds under concurrent bookings', async () => {
      const created = await share({ dailyQuota: 2 });
      const day = 4;
      const attempts = [9, 10, 11, 12, 13, 14].map((hour, index) =>
        peerBook(app, created.token, peerBookInput({ scheduleId: shared[index % 2], serviceId: serviceA, start: localAt(day, hour) })));
      const results = (await Promise.all(attempts)).map((response) => {
        expect(response.errors).toBeUndefined();
        const result = response.data!.peerBook;
        return result.__typename === 'ShareRefused' ? result.reason : result.__typename;
      });
      expect(results.filter((r) => r === 'PeerBooking')).toHaveLength(2);
      expect(results.filter((r) => r !== 'PeerBooking').every((r) => r === 'DAILY_QUOTA_REACHED')).toBe(true);
      const live = await withPgClient(app.databaseUrl, async (client) => Number((await client.query(
        `SELECT count(*) FROM appointments WHERE tenant_id = $1 AND share_id = $2 AND status <> 'CANCELLED'`, [sharing.tenantId, created.share.id])).rows[0].count));
      expect(live).toBe(2);
    });

    it('an offline centre offers nothing free and refuses with CENTRE_OFFLINE', async () => {
      const offline = await createCentreWithSchedules(app, sharing, { schedules: 1, offline: true, openingHours: everyDay('08:00', '17:00') });
      const created = await createShareOk(app, sharing, { centreId: offline.centreId, scheduleIds: offline.scheduleIds });
      const rows = await peerAvailabilityOk(app, created.token, week());
      expect(rows).toHaveLength(1);
      expect(rows[0].free).toEqual([]);
      expect(await refusal(created.token, { scheduleId: offline.scheduleIds[0], serviceId: offline.serviceIds[0], start: localAt(1, 10) })).toBe('CENTRE_OFFLINE');
    });

    it('refuses windows that are empty or too long, and schedules outside the share', async () => {
      const created = await share({}, [shared[0]]);
      expect(errorCode(await peerAvailability(app, created.token, { from: localAt(2, 0), to: localAt(1, 0) }))).toBe('BAD_USER_INPUT');
      expect(errorCode(await peerAvailability(app, created.token, { from: localAt(1, 0), to: localAt(60, 0) }))).toBe('BAD_USER_INPUT');
      expect(errorCode(await peerBook(app, created.token, peerBookInput({ scheduleId: shared[1], serviceId: serviceA, start: localAt(1, 9) })))).toBe('NOT_FOUND');
      expect(errorCode(await peerBook(app, created.token, peerBookInput({ scheduleId: unshared, serviceId: serviceA, start: localAt(1, 9) })))).toBe('NOT_FOUND');
      const rows = await peerAvailabilityOk(app, created.token, week());
      expect(rows.map((row) => row.scheduleId)).toEqual([shared[0]]);
    });
  });

  /** The client reference a twin was booked with, as the sharing centre stores it. */
  async function readAppointmentReference(appointmentId: string): Promise<string> {
    return withPgClient(app.databaseUrl, async (client) =>
      (await client.query('SELECT client_reference FROM appointments WHERE tenant_id = $1 AND id = $2', [sharing.tenantId, appointmentId])).rows[0].client_reference);
  }

  describe('occupied time carries no detail', () => {
    it('never lets the sharing centre\'s patient, note, phone or ids reach a peer: availability, share or subscription', async () => {
      const created = await share();
      const subscription = await subscribeLive(created.token, created.share.id);
      const canary = { familyName: 'Canaryfamily', givenName: 'Canarygiven', phone: '+46 555 0199', personalIdentityNumber: '19121212-9999' };
      const slot = slots.next();
      const own = await bookOk(app, scheduler.token, { ...slot, serviceId: serviceB, newPatient: canary, note: 'canary-note-secret' });
      const event = await subscription.next(1500);
      expect(event).toEqual({ data: { peerOccupancyChanged: { scheduleId: slot.scheduleId, kind: 'CREATED', clientReference: null } } });

      const day = Date.parse(slot.start);
      const window = { from: new Date(day - DAY_MS).toISOString(), to: new Date(day + DAY_MS).toISOString() };
      const answers = [
        await gql(app, '{ peerShare { shareId centreId centreName timeZone schedules { id name slotMinutes services { id code name durationMinutes } } } }', {}, created.token),
        await peerAvailability(app, created.token, { ...window, slots: true }),
        await peerAvailability(app, created.token, { ...window, serviceId: serviceA, slots: true }),
        await peerAvailability(app, created.token, { ...window, serviceId: serviceB }),
      ];
      for (const answer of answers) expect(answer.errors).toBeUndefined();
      const occupied = (answers[1].data as { peerAvailability: PeerAvailabilityData[] }).peerAvailability.find((row) => row.scheduleId === slot.scheduleId)!.occupied;
      expect(occupied).toContainEqual({ start: own.start.replace('.000Z', 'Z'), end: own.end.replace('.000Z', 'Z') });
      const everything = JSON.stringify([answers.map((answer) => answer.data), event]);
      for (const secret of ['Canary', '555 0199', '19121212', 'canary-note', own.id, own.patientId!]) expect(everything).not.toContain(secret);
      expect((await gql(app, 'query($id: ID!) { appointment(id: $id) { id patient { familyName } } }', { id: own.id }, created.token)).data ?? null).toBeNull();
    });
  });

  describe('bookings through a share', () => {
    it('creates a SHARED_CLIENT twin the sharing centre\'s staff see with the client centre\'s name and "*"', async () => {
      const created = await share();
      const slot = slots.next();
      const clientReference = randomUUID();
      const booked = await bookedOk(created.token, {
        ...slot, serviceId: serviceA, clientReference, clientCentreName: 'Norrby Health Centre',
        patient: { familyName: 'Berg', givenName: 'Anna', phone: '+46 70 123 45 67', personalIdentityNumber: '19800101-1234' },
      });
      expect(booked).toMatchObject({ start: slot.start.replace('.000Z', 'Z') });
      expect(Date.parse(booked.end) - Date.parse(booked.start)).toBe(30 * 60_000);

      const seen = await gqlOk(app, `query($id: ID!) { appointment(id: $id) {
        id origin status clientCentreName displayMarker scheduleId patient { familyName givenName phone personalIdentityNumber } history { actorKind actorId } } }`,
      { id: booked.appointmentId }, scheduler.token);
      expect(seen.appointment).toEqual({
        id: booked.appointmentId, origin: 'SHARED_CLIENT', status: 'BOOKED', clientCentreName: 'Norrby Health Centre', displayMarker: '*', scheduleId: slot.scheduleId,
        patient: { familyName: 'Berg', givenName: 'Anna', phone: '+46 70 123 45 67', personalIdentityNumber: '19800101-1234' },
        history: [{ actorKind: 'PEER_SERVER', actorId: created.share.id }],
      });
      const local = await bookOk(app, scheduler.token, { ...slots.next(), serviceId: serviceA, newPatient: { familyName: 'Local', givenName: 'One' } });
      const list = await gqlOk(app, `query($f: AppointmentFilterInput) { appointments(filter: $f, first: 50) { nodes { id clientCentreName displayMarker } } }`,
        { f: { centreId: centre.centreId } }, scheduler.token);
      expect(list.appointments.nodes).toEqual(expect.arrayContaining([
        { id: booked.appointmentId, clientCentreName: 'Norrby Health Centre', displayMarker: '*' },
        { id: local.id, clientCentreName: null, displayMarker: null },
      ]));

      // The same person booked again (by identity number) is the same patient at the sharing centre.
      const again = await bookedOk(created.token, { ...slots.next(), serviceId: serviceA, patient: { familyName: 'Berg', givenName: 'Anna', personalIdentityNumber: '19800101-1234' } });
      expect((await readAppointment(app, scheduler.token, again.appointmentId)).patientId).toBe((await readAppointment(app, scheduler.token, booked.appointmentId)).patientId);

      expect(await auditActions(sharing, booked.appointmentId)).toEqual([
        expect.objectContaining({ action: 'peer.booked', actorKind: 'PEER_SERVER', actorId: created.share.id, details: expect.objectContaining({ shareId: created.share.id, patientCreated: true }) }),
      ]);
    });

    it('is idempotent per key: the same request answers the first booking, other input with the key is a CONFLICT', async () => {
      const created = await share();
      const input = peerBookInput({ ...slots.next(), serviceId: serviceA });
      const first = await peerBook(app, created.token, input);
      const again = await peerBook(app, created.token, input);
      expect(again.data!.peerBook).toEqual(first.data!.peerBook);
      expect(first.data!.peerBook.__typename).toBe('PeerBooking');
      const count = await withPgClient(app.databaseUrl, async (client) => Number((await client.query(
        'SELECT count(*) FROM appointments WHERE tenant_id = $1 AND client_reference = $2', [sharing.tenantId, input.clientReference])).rows[0].count));
      expect(count).toBe(1);
      expect(errorCode(await peerBook(app, created.token, { ...input, start: slots.next().start }))).toBe('CONFLICT');
      expect(errorCode(await peerBook(app, created.token, { ...input, idempotencyKey: key(), start: slots.next().start }))).toBe('CONFLICT');
      // The same key through another share is another request.
      const second = await share();
      const elsewhere = await peerBook(app, second.token, { ...input, start: slots.next().start });
      expect(elsewhere.data!.peerBook.__typename).toBe('PeerBooking');
    });

    it('answers CONFLICT, never "slot taken", to the loser of a race for one client reference (in different slots)', async () => {
      const created = await share();
      for (let round = 0; round < 6; round++) {
        const clientReference = randomUUID();
        const answers = await Promise.all(Array.from({ length: 4 }, () =>
          peerBook(app, created.token, peerBookInput({ ...slots.next(), serviceId: serviceA, clientReference }))));
        const outcomes = answers.map((answer) => answer.data?.peerBook.__typename ?? errorCode(answer));
        expect(outcomes.filter((outcome) => outcome === 'PeerBooking')).toHaveLength(1);
        expect(outcomes.filter((outcome) => outcome !== 'PeerBooking')).toEqual(['CONFLICT', 'CONFLICT', 'CONFLICT']);
      }
    });

    it('answers the schedule\'s own typed failures: taken, off the grid, closed, past, not offered', async () => {
      const created = await share();
      const slot = slots.next();
      await bookedOk(created.token, { ...slot, serviceId: serviceA });
      const failure = (spec: Partial<Parameters<typeof peerBookInput>[0]>) => refusal(created.token, { ...slot, serviceId: serviceA, ...spec });
      expect(await failure({ start: new Date(Date.parse(slot.start) + 15 * 60_000).toISOString() })).toBe('SlotUnavailable');
      expect(await failure({ start: localAt(11, 9, 5) })).toBe('OffSlotGrid');
      expect(await failure({ start: localAt(11, 20) })).toBe('OutsideOpeningHours');
      expect(await failure({ start: new Date(Date.now() - DAY_MS).toISOString() })).toBe('InThePast');
      expect(await failure({ serviceId: randomUUID(), start: localAt(11, 10) })).toBe('ServiceNotOffered');
      expect(errorCode(await peerBook(app, created.token, { ...peerBookInput({ ...slot, serviceId: serviceA }), idempotencyKey: 'short' }))).toBe('BAD_USER_INPUT');
    });

    it('cancels a twin by client reference, idempotently; an unknown reference is NOT_FOUND', async () => {
      const created = await share();
      const clientReference = randomUUID();
      const booked = await bookedOk(created.token, { ...slots.next(), serviceId: serviceA, clientReference });
      const cancelKey = key();
      const first = await peerCancel(app, created.token, { clientReference, idempotencyKey: cancelKey, reasonText: 'Patient moved' });
      expect(first.data!.peerCancel).toEqual({ status: 'CANCELLED', appointmentId: booked.appointmentId });
      expect((await peerCancel(app, created.token, { clientReference, idempotencyKey: cancelKey })).data!.peerCancel).toEqual({ status: 'CANCELLED', appointmentId: booked.appointmentId });
      expect((await peerCancel(app, created.token, { clientReference, idempotencyKey: key() })).data!.peerCancel).toEqual({ status: 'CANCELLED', appointmentId: booked.appointmentId });
      const seen = await readAppointment(app, scheduler.token, booked.appointmentId);
      expect(seen).toMatchObject({ status: 'CANCELLED', cancellation: { reasonCode: 'CLIENT_CANCELLED', reasonText: 'Patient moved' } });
      expect((await auditActions(sharing, booked.appointmentId)).map((entry) => [entry.action, entry.actorKind])).toEqual([['peer.booked', 'PEER_SERVER'], ['peer.cancelled', 'PEER_SERVER']]);

      expect((await peerCancel(app, created.token, { clientReference: randomUUID(), idempotencyKey: key() })).data!.peerCancel).toEqual({ status: 'NOT_FOUND', appointmentId: null });
      // A twin of another share, and the sharing centre's own appointments, are out of reach.
      const own = await bookOk(app, scheduler.token, { ...slots.next(), serviceId: serviceA, newPatient: { familyName: 'Own', givenName: 'Patient' } });
      expect((await peerCancel(app, created.token, { clientReference: own.id, idempotencyKey: key() })).data!.peerCancel.status).toBe('NOT_FOUND');
      const second = await share();
      const theirs = randomUUID();
      await bookedOk(second.token, { ...slots.next(), serviceId: serviceA, clientReference: theirs });
      expect((await peerCancel(app, created.token, { clientReference: theirs, idempotencyKey: key() })).data!.peerCancel.status).toBe('NOT_FOUND');
      expect((await readAppointment(app, scheduler.token, own.id)).status).toBe('BOOKED');
    });
  });

  describe('live occupancy', () => {
    it('tells a peer about changes in the shared schedules only, naming only its own twins', async () => {
      const created = await share();
      const subscription = await subscribeLive(created.token, created.share.id);
      await bookOk(app, scheduler.token, { scheduleId: unshared, start: localAt(12, 9), serviceId: serviceA, newPatient: { familyName: 'Elsewhere', givenName: 'X' } });
      expect(await subscription.nothingWithin(500)).toBe(true);

      const slot = slots.next();
      const clientReference = randomUUID();
      await bookedOk(created.token, { ...slot, serviceId: serviceA, clientReference });
      expect(await subscription.next(1000)).toEqual({ data: { peerOccupancyChanged: { scheduleId: slot.scheduleId, kind: 'CREATED', clientReference } } });
      await peerCancel(app, created.token, { clientReference, idempotencyKey: key() });
      expect(await subscription.next(1000)).toEqual({ data: { peerOccupancyChanged: { scheduleId: slot.scheduleId, kind: 'CANCELLED', clientReference } } });

      const second = await share();
      await bookedOk(second.token, { ...slots.next(), serviceId: serviceA, clientReference: randomUUID() });
      expect((await subscription.next(1000)).data!.peerOccupancyChanged.clientReference).toBeNull();
    });
  });

  describe('revocation and rotation cut access at once', () => {
    it('revoking: HTTP answers UNAUTHENTICATED at once, a new WebSocket is closed with 4403, a live subscription ends', async () => {
      const created = await share();
      const subscription = await subscribeLive(created.token, created.share.id);
      const openConnection = connect(created.token);
      expect((await runOnWs(openConnection, '{ peerShare { shareId } }')).results[0]?.errors).toBeUndefined();
      expect((await peerShare(app, created.token)).errors).toBeUndefined(); // verified and cached

      const revoked = await revokeShare(app, sharing.adminToken, created.share.id);
      expect(revoked.data!.revokeScheduleShare).toMatchObject({ active: false, revokedAt: expect.any(String) });
      const after = await peerShare(app, created.token);
      expect(after.status).toBe(401);
      expect(after.errors![0]).toMatchObject({ message: 'Share revoked', extensions: { code: 'UNAUTHENTICATED' } });
      expect(errorCode(await peerAvailability(app, created.token, week()))).toBe('UNAUTHENTICATED');
      expect(errorCode(await peerBook(app, created.token, peerBookInput({ ...slots.next(), serviceId: serviceA })))).toBe('UNAUTHENTICATED');
      expect((await connect(created.token).closed).code).toBe(4403);
      expect(await untilCompleted(subscription)).toBe(true);
      const onOpen = await runOnWs(openConnection, '{ peerShare { shareId } }');
      expect(outcomeCodesOf(onOpen)).toContain('UNAUTHENTICATED');
      expect((await revokeShare(app, sharing.adminToken, created.share.id)).errors).toBeUndefined(); // idempotent
      expect((await auditActions(sharing, created.share.id)).map((entry) => entry.action)).toContain('schedule-share.revoked');
    });

    it('rotating: the old token stops at once (cached or not), the new one works; old subscriptions end, new ones go on', async () => {
      const created: CreatedShareData = await share();
      const oldSubscription = await subscribeLive(created.token, created.share.id);
      const openConnection = connect(created.token);
      expect((await runOnWs(openConnection, '{ peerShare { shareId } }')).results[0]?.errors).toBeUndefined();
      expect((await peerShare(app, created.token)).errors).toBeUndefined();

      const rotated = await rotateShare(app, sharing.adminToken, created.share.id);
      expect(rotated.errors).toBeUndefined();
      const fresh = rotated.data!.rotateScheduleShareToken;
      expect(fresh.token).not.toBe(created.token);
      expect(fresh).toMatchObject({ serverUrl: app.url, centreId: centre.centreId, share: { id: created.share.id, active: true, tokenRotatedAt: expect.any(String) } });

      expect(errorCode(await peerShare(app, created.token))).toBe('UNAUTHENTICATED');
      expect((await peerShare(app, fresh.token)).data!.peerShare.shareId).toBe(created.share.id);
      expect(errorCode(await peerShare(app, created.token))).toBe('UNAUTHENTICATED'); // also with the new one cached
      expect((await connect(created.token).closed).code).toBe(4403);
      expect(await untilCompleted(oldSubscription)).toBe(true);
      expect(outcomeCodesOf(await runOnWs(openConnection, '{ peerShare { shareId } }'))).toContain('UNAUTHENTICATED');

      const newSubscription = await subscribeLive(fresh.token, created.share.id);
      const slot = slots.next();
      await bookedOk(fresh.token, { ...slot, serviceId: serviceA });
      expect((await newSubscription.next(1000)).data!.peerOccupancyChanged).toMatchObject({ scheduleId: slot.scheduleId, kind: 'CREATED' });
      expect(newSubscription.completed).toBe(false);
      expect((await auditActions(sharing, created.share.id)).map((entry) => entry.action)).toContain('schedule-share.token-rotated');
    });
  });

  describe('a link token reaches the peer API and nothing else', () => {
    it('refuses staff fields to a peer, and everything to no token or a forged one', async () => {
      const created = await share();
      const staffOnly = [
        '{ centres(first: 5) { nodes { id } } }',
        '{ appointments(first: 5) { nodes { id } } }',
        '{ users(first: 5) { nodes { id } } }',
        '{ patients(search: "Berg", first: 5) { nodes { id } } }',
        '{ scheduleShares { nodes { id } } }',
        `{ availability(centreId: "${centre.centreId}", from: "${localAt(1, 0)}", to: "${localAt(2, 0)}") { centreId } }`,
      ];
      // Refused before any resolver runs (type-graphql's auth check answers UNAUTHENTICATED for staff-only fields today).
      const refused = (response: GraphQLResponse) => ({ data: response.data ?? null, denied: ['FORBIDDEN', 'UNAUTHENTICATED'].includes(errorCode(response) ?? '') });
      for (const query of staffOnly) expect({ query, ...refused(await gql(app, query, {}, created.token)) }).toEqual({ query, data: null, denied: true });
      expect(refused(await createShare(app, created.token, { centreId: centre.centreId, scheduleIds: shared, label: 'x' }))).toEqual({ data: null, denied: true });
      const staffBooking = await gql(app, 'mutation($input: BookAppointmentInput!) { bookAppointment(input: $input) { __typename } }',
        { input: { ...slots.next(), serviceId: serviceA, newPatient: { familyName: 'X', givenName: 'Y' }, idempotencyKey: key() } }, created.token);
      expect(refused(staffBooking)).toEqual({ data: null, denied: true });
      const agenda = subscribeQueued(connect(created.token).client, 'subscription($c: ID!) { agendaChanged(centreId: $c) { kind } }', { c: centre.centreId });
      expect(outcomeCodes(await firstOutcome(agenda)).filter((code) => ['FORBIDDEN', 'UNAUTHENTICATED'].includes(code))).not.toEqual([]);

      expect((await gqlOk(app, '{ viewer { kind tenantId user { id } } }', {}, created.token)).viewer).toEqual({ kind: 'PEER_SERVER', tenantId: sharing.tenantId, user: null });
      expect(errorCode(await peerShare(app, ''))).toBe('UNAUTHENTICATED');
      const forged = `${created.token.slice(0, -4)}AAAA`;
      expect(errorCode(await peerShare(app, forged))).toBe('UNAUTHENTICATED');
      expect((await connect(forged).closed).code).toBe(4403);
    });

    it('refuses the peer API to staff with FORBIDDEN, and stores nothing', async () => {
      const before = await shareCount(sharing);
      for (const token of [sharing.adminToken, scheduler.token]) {
        expect(errorCode(await peerShare(app, token))).toBe('FORBIDDEN');
        expect(errorCode(await peerAvailability(app, token, week()))).toBe('FORBIDDEN');
        expect(errorCode(await peerBook(app, token, peerBookInput({ ...slots.next(), serviceId: serviceA })))).toBe('FORBIDDEN');
        expect(errorCode(await peerCancel(app, token, { clientReference: 'x', idempotencyKey: key() }))).toBe('FORBIDDEN');
      }
      const staffSubscription = subscribeQueued(connect(sharing.adminToken).client, PEER_OCCUPANCY);
      expect(outcomeCodes(await firstOutcome(staffSubscription))).toContain('FORBIDDEN');
      const twins = await withPgClient(app.databaseUrl, async (client) => Number((await client.query(
        `SELECT count(*) FROM appointments WHERE tenant_id = $1 AND client_centre_name = 'Client Centre North' AND share_id IS NULL`, [sharing.tenantId])).rows[0].count));
      expect({ twins, shares: await shareCount(sharing) }).toEqual({ twins: 0, shares: before });
    });
  });

  describe('one centre among others', () => {
    it('shares only schedules the centre owns, and a share\'s peer sees only its own centre', async () => {
      const second = await createCentre(app, sharing, { name: 'Second Centre' });
      const schedule = await createSchedule(app, sharing, { centreId: second, serviceIds: [serviceA] });
      const created = await createShareOk(app, sharing, { centreId: second, scheduleIds: [schedule] });
      const seen = (await gqlOk(app, '{ peerShare { centreId centreName schedules { id } } }', {}, created.token)).peerShare;
      expect(seen).toEqual({ centreId: second, centreName: 'Second Centre', schedules: [{ id: schedule }] });
      expect((await peerAvailabilityOk(app, created.token, week())).map((row) => row.scheduleId)).toEqual([schedule]);
      expect(errorCode(await peerBook(app, created.token, peerBookInput({ scheduleId: shared[0], serviceId: serviceA, start: localAt(1, 9) })))).toBe('NOT_FOUND');
    });
  });
});

/** The error codes of a graphql-ws operation, wherever graphql-ws put them. */
function outcomeCodesOf(outcome: Awaited<ReturnType<typeof runOnWs>>): string[] {
  if (outcome.closed) return ['CLOSED'];
  const errors = outcome.errors ?? outcome.results.flatMap((result) => result.errors ?? []);
  return errors.map((error) => String(error.extensions?.code ?? 'NO_CODE'));
}
