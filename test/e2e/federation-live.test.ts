import { withPgClient } from '../../src/db/pg-client';
import { gqlOk } from '../helpers/graphql-client';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { connectWs } from '../helpers/ws-client';
import { revokeShare, rotateShare } from '../factories/sharing';
import { SlotAllocator, agendaChanged, book, bookOk, cancel, key, localAt, readAppointment, subscribeQueued } from '../support/scheduling';
import {
  LEAN_NO_JOBS, TOPOLOGIES, auditOf, bookAtClientInput, bookAtSharing, codeOf, linkOk, mirrorAvailability, mirrorsOf, ms, newClientCentre, nextMatching,
  setUpSides, shareAndLink, sharingAppointments, startTopology, testLink, untilAgendaLive, watchClientAgenda, UPDATE_SHARE_LABEL,
  type AgendaEvent, type AgendaWatch, type Linked, type Sides, type Topology,
} from '../support/federation';

/**
 * Schedule sharing, behaviours 6–8 (README: Sharing schedules): the client server keeps a live watch of the
 * sharing server. A twin the sharing centre cancels cancels the client's record; occupancy
 * changes reach the client's agendaChanged subscribers, without any detail; a revoked or rotated
 * token stops reads, bookings and events at once. On one server and on two.
 *
 * No timings (bench/ measures latency): deadlines only catch a hang, and a subscriber that must
 * hear nothing is looked at only after a control subscriber heard the very change.
 */

/** Long enough for any loaded machine: it only turns a hang into a failure. */
const HANG_MS = 10_000;
/** How long a subscriber that must hear nothing is watched, once its control heard the change. */
const QUIET_MS = 1000;

describe.each(TOPOLOGIES)('schedule sharing on %s: the live link', (name) => {
  let topology: Topology;
  let sides: Sides;
  let slots: SlotAllocator;
  const watches: AgendaWatch[] = [];

  beforeAll(async () => {
    topology = await startTopology(name);
    sides = await setUpSides(topology);
    slots = new SlotAllocator([sides.sharingCentre.scheduleIds[0]], { firstDay: 2, durationMinutes: 30 });
  });
  afterAll(async () => {
    for (const watch of watches) await watch.close();
    await topology?.close();
  });

  /** A fresh share and link, and a live subscriber to the client centre's agenda. */
  async function liveLink(): Promise<{ linked: Linked; watch: AgendaWatch }> {
    const linked = await shareAndLink(sides);
    const watch = watchClientAgenda(sides, linked);
    watches.push(watch);
    await untilAgendaLive(sides, linked, watch);
    return { linked, watch };
  }
  const mirror0 = (linked: Linked) => linked.mirrorOf[sides.sharingCentre.scheduleIds[0]];
  const ownBooking = () => bookAtSharing(sides, { scheduleId: sides.sharingCentre.scheduleIds[0], start: slots.next().start, patient: { familyName: 'Nyberg', givenName: 'Karin', phone: '+46 70 555 01 01' } });

  describe('6. the sharing centre cancels a client-made appointment', () => {
    it('the client\'s record follows (CANCELLED, by the sharing centre), its live agenda hears it, and nothing is sent back', async () => {
      const { linked, watch } = await liveLink();
      const { start } = slots.next();
      const mine = await bookOk(topology.client, sides.clientTenant.adminToken, bookAtClientInput(sides, linked, start));
      const [twin] = (await sharingAppointments(sides, sides.sharingCentre.scheduleIds[0])).filter((a) => ms(a.start) === ms(start));
      expect(twin.origin).toBe('SHARED_CLIENT');

      await gqlOk(topology.sharing, 'mutation($input: CancelAppointmentInput!) { cancelAppointment(input: $input) { id } }',
        { input: { appointmentId: twin.id, reasonCode: 'CLINIC_UNAVAILABLE', idempotencyKey: key() } }, sides.sharingTenant.adminToken);

      const event = await nextMatching(watch.events, (change) => change.kind === 'CANCELLED' && change.appointmentId === mine.id, HANG_MS);
      expect(event.appointment).toMatchObject({ id: mine.id, status: 'CANCELLED' });
      const record = await readAppointment(topology.client, sides.clientTenant.adminToken, mine.id);
      expect(record).toMatchObject({ status: 'CANCELLED', cancellation: { reasonCode: 'CANCELLED_BY_SHARING_CENTRE', reasonText: sides.sharingCentre.name } });

      // Not sent back to the sharing server: no cancellation job, the twin cancelled once, by its own staff.
      const jobs = await withPgClient(topology.client.databaseUrl, async (db) =>
        (await db.query(`SELECT count(*)::int AS n FROM graphile_worker.jobs WHERE key LIKE $1`, [`cancel-shared-twin:${mine.id}%`])).rows[0].n);
      expect(jobs).toBe(0);
      expect((await auditOf(topology.client, sides.clientTenant, mine.id)).map((a) => a.action)).not.toContain('shared-booking.twin-cancelled');
      const after = (await sharingAppointments(sides, sides.sharingCentre.scheduleIds[0])).find((a) => a.id === twin.id)!;
      expect(after).toMatchObject({ status: 'CANCELLED', cancellation: { reasonCode: 'CLINIC_UNAVAILABLE' } });
      expect(after.history.filter((h) => h.toStatus === 'CANCELLED')).toHaveLength(1);
    });
  });

  describe('7. occupancy changes at the sharing centre reach the client\'s agenda subscribers', () => {
    it('a booking and a cancellation by the sharing centre\'s own staff: an event each, without any detail', async () => {
      const { linked, watch } = await liveLink();
      const own = await ownBooking();
      const created = await nextMatching(watch.events, (change) => change.kind === 'CREATED', HANG_MS);
      // Without any detail, but where: the occupied time that changed, so the client re-reads only there.
      expect(created).toEqual({
        kind: 'CREATED', centreId: linked.client.centreId, scheduleId: mirror0(linked), appointmentId: null, appointment: null, linkId: null,
        interval: { start: own.start, end: own.end },
      });

      await cancel(topology.sharing, sides.sharingTenant.adminToken, { appointmentId: own.id, reasonCode: 'PATIENT_REQUEST', idempotencyKey: key() });
      const cancelled = await nextMatching(watch.events, (change) => change.kind === 'CANCELLED', HANG_MS);
      expect(cancelled).toEqual({
        kind: 'CANCELLED', centreId: linked.client.centreId, scheduleId: mirror0(linked), appointmentId: null, appointment: null, linkId: null,
        interval: { start: own.start, end: own.end },
      });
      expect(JSON.stringify(watch.events.log)).not.toMatch(/Nyberg|Karin|555 01 01/);
    });

    /** Whether a subscriber on `server` hears the sharing centre (its share's label changes) within a few pokes. */
    async function hearsSharingCentre(server: TestServer, linked: Linked): Promise<boolean> {
      const connection = connectWs(server.url, sides.clientTenant.adminToken);
      const events = subscribeQueued<AgendaEvent>(connection.client, agendaChanged(linked.client.centreId));
      try {
        for (let attempt = 0; attempt < 10; attempt++) {
          await gqlOk(topology.sharing, UPDATE_SHARE_LABEL, { input: { id: linked.shareId, label: `poke ${attempt}` } }, sides.sharingTenant.adminToken);
          if (!(await events.nothingWithin(300))) return true;
        }
        return false;
      } finally {
        events.dispose();
        await connection.dispose();
      }
    }

    it('also on another instance of the client server that was running when the link was made', async () => {
      const runningBefore = await startTestServer({ databaseUrl: topology.client.databaseUrl, config: LEAN_NO_JOBS });
      let startedAfter: TestServer | undefined;
      try {
        const linked = await shareAndLink(sides);
        // Control: an instance started after the link watches it (from the link registry, at start).
        startedAfter = await startTestServer({ databaseUrl: topology.client.databaseUrl, config: LEAN_NO_JOBS });
        expect(await hearsSharingCentre(startedAfter, linked)).toBe(true);
        expect(await hearsSharingCentre(runningBefore, linked)).toBe(true);
      } finally {
        await startedAfter?.close();
        await runningBefore.close();
      }
    });
  });

  describe('8. a revoked or rotated token stops all access at once', () => {
    /** `control`: another link to the same shared schedule, with its own share, that stays up. */
    async function expectCutOff(linked: Linked, watch: AgendaWatch, control: AgendaWatch): Promise<void> {
      const client = topology.client;
      // The client centre's subscribers are told the link went down, once.
      const down = await nextMatching(watch.events, (change) => change.kind === 'LINK_DOWN', HANG_MS);
      expect(down).toMatchObject({ kind: 'LINK_DOWN', linkId: linked.linkId, centreId: linked.client.centreId });
      // Reads: the shared schedule's free time is gone.
      const mirror = await mirrorAvailability(sides, linked, sides.sharingCentre.scheduleIds[0], localAt(2, 0), localAt(9, 0));
      expect(mirror?.free ?? []).toEqual([]);
      // Bookings: a clear link error, nothing stored.
      const { start } = slots.next();
      const refused = await book(client, sides.clientTenant.adminToken, { ...bookAtClientInput(sides, linked, start), idempotencyKey: key() });
      expect(codeOf(refused)).toBe('SHARE_LINK_REJECTED');
      expect((await sharingAppointments(sides, sides.sharingCentre.scheduleIds[0])).filter((a) => ms(a.start) === ms(start))).toEqual([]);
      // Events: the sharing centre's changes are heard no more; the control link hears this one.
      const own = await ownBooking();
      await nextMatching(control.events, (change) => change.kind === 'CREATED' && ms(change.interval!.start) === ms(own.start), HANG_MS);
      expect(await watch.events.nothingWithin(QUIET_MS)).toBe(true);
    }

    it('revoked: reads, bookings and occupancy events stop; testShareLink says REVOKED', async () => {
      const { watch: control } = await liveLink();
      const { linked, watch } = await liveLink();
      expect((await mirrorAvailability(sides, linked, sides.sharingCentre.scheduleIds[0], localAt(2, 0), localAt(9, 0)))?.free.length).toBeGreaterThan(0);
      await ownBooking();
      await nextMatching(watch.events, (change) => change.kind === 'CREATED', HANG_MS);

      expect((await revokeShare(topology.sharing, sides.sharingTenant.adminToken, linked.shareId)).errors).toBeUndefined();
      await expectCutOff(linked, watch, control);
      const tested = (await testLink(topology.client, sides.clientTenant.adminToken, { url: linked.share.serverUrl, remoteCentreId: linked.share.centreId, token: linked.token })).data!.testShareLink;
      expect(tested).toMatchObject({ __typename: 'ShareLinkProblem', reason: 'REVOKED' });
    });

    it('rotated: the old token\'s link stops the same way; a link with the new token works', async () => {
      const { watch: control } = await liveLink();
      const { linked, watch } = await liveLink();
      await ownBooking();
      await nextMatching(watch.events, (change) => change.kind === 'CREATED', HANG_MS);

      const rotated = await rotateShare(topology.sharing, sides.sharingTenant.adminToken, linked.shareId);
      expect(rotated.errors).toBeUndefined();
      await expectCutOff(linked, watch, control);

      const client = await newClientCentre(sides);
      const linkId = await linkOk(topology.client, sides.clientTenant.adminToken, {
        centreId: client.centreId, url: linked.share.serverUrl, remoteCentreId: linked.share.centreId, token: rotated.data!.rotateScheduleShareToken.token, label: 'renewed',
      });
      const renewed: Linked = { ...linked, linkId, client, ...(await mirrorsOf(topology.client, sides.clientTenant, linkId)) };
      expect((await mirrorAvailability(sides, renewed, sides.sharingCentre.scheduleIds[0], localAt(2, 0), localAt(9, 0)))?.free.length).toBeGreaterThan(0);
      await bookOk(topology.client, sides.clientTenant.adminToken, bookAtClientInput(sides, renewed, slots.next().start));
    });
  });
});
