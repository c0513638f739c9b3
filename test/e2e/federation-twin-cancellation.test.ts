import { withPgClient } from '../../src/db/pg-client';
import { cloneTemplateDatabase } from '../helpers/test-database';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { createCentre } from '../factories/catalog';
import { peerCancel } from '../factories/sharing';
import { SlotAllocator, bookOk, cancel, key, type AppointmentData } from '../support/scheduling';
import {
  LEAN, auditOf, bookAtClientInput, eventually, setUpSides, shareAndLink, sharingAppointments, startRestartable, untilAgendaLive, watchClientAgenda,
  type Linked, type Restartable, type Sides, type Topology,
} from '../support/federation';

/**
 * Schedule sharing, behaviour 5 (README: Sharing schedules): cancelling an appointment at the client cancels
 * its twin at the sharing centre through the durable job queue, retried with backoff while the
 * sharing server is down, idempotent at the sharing side: none lost, none cancelled twice. Only
 * across two servers: the sharing server is stopped and started again at the same URL (a fixed
 * port) on its own database.
 */

const COUNT = 50;

async function inBatches<T, R>(items: readonly T[], size: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let index = 0; index < items.length; index += size) results.push(...await Promise.all(items.slice(index, index + size).map(work)));
  return results;
}

describe('schedule sharing across two servers: 5. twin cancellations survive a sharing server that is down', () => {
  let database: { url: string; drop(): Promise<void> };
  let sharing: Restartable;
  let client: TestServer;
  let sides: Sides;
  let linked: Linked;

  beforeAll(async () => {
    database = await cloneTemplateDatabase();
    sharing = await startRestartable(database.url);
    client = await startTestServer({ config: { ...LEAN, JOB_RETRY_BASE_MS: 100, JOB_RETRY_MAX_MS: 1000 } });
    const topology: Topology = { name: 'two servers', get sharing() { return sharing.server; }, client, close: async () => undefined };
    sides = await setUpSides(topology);
    linked = await shareAndLink(sides);
  });
  afterAll(async () => {
    await client?.close();
    await sharing?.stop();
    await database?.drop();
  });

  /** Pending cancel-shared-twin jobs at the client, with the attempt their payload carries. */
  const pendingJobs = () => withPgClient(client.databaseUrl, async (db) => (await db.query(
    `SELECT j.payload->>'appointmentId' AS "appointmentId", (j.payload->>'attempt')::int AS attempt FROM graphile_worker._private_jobs j
       JOIN graphile_worker._private_tasks t ON t.id = j.task_id WHERE t.identifier = 'cancel-shared-twin'`,
  )).rows as Array<{ appointmentId: string; attempt: number }>);

  it(`${COUNT} cancellations made while the sharing server is down all reach it once it is back, each exactly once`, async () => {
    const remoteScheduleId = sides.sharingCentre.scheduleIds[0];
    const slots = new SlotAllocator([remoteScheduleId], { firstDay: 2, durationMinutes: 30 });
    const starts = Array.from({ length: COUNT }, () => slots.next().start);
    const booked: AppointmentData[] = await inBatches(starts, 5, (start) => bookOk(client, sides.clientTenant.adminToken, bookAtClientInput(sides, linked, start)));
    const twinsBefore = (await sharingAppointments(sides, remoteScheduleId)).filter((a) => a.origin === 'SHARED_CLIENT');
    expect(twinsBefore).toHaveLength(COUNT);
    expect(twinsBefore.every((twin) => twin.status === 'BOOKED')).toBe(true);

    await sharing.stop();
    const cancelled = await inBatches(booked, 5, (appointment) =>
      cancel(client, sides.clientTenant.adminToken, { appointmentId: appointment.id, reasonCode: 'PATIENT_REQUEST', idempotencyKey: key() }));
    expect(cancelled.map((response) => response.errors)).toEqual(booked.map(() => undefined));
    expect(cancelled.every((response) => response.data!.cancelAppointment.status === 'CANCELLED')).toBe(true);

    // While it is down, every twin's cancellation is queued and retried (again and again).
    // Counted by payload: while a job hands over to its retry, both may be seen for a moment.
    const retried = (jobs: Array<{ appointmentId: string; attempt: number }>) => new Set(jobs.filter((job) => job.attempt >= 2).map((job) => job.appointmentId));
    const retrying = await eventually(pendingJobs, (jobs) => retried(jobs).size === COUNT, 15_000, 200);
    expect(retried(retrying).size).toBe(COUNT);
    expect(new Set(retrying.map((job) => job.appointmentId)).size).toBe(COUNT);

    await sharing.start();
    const twins = await eventually(
      async () => (await sharingAppointments(sides, remoteScheduleId)).filter((a) => a.origin === 'SHARED_CLIENT'),
      (found) => found.every((twin) => twin.status === 'CANCELLED'), 20_000, 250,
    );
    expect(twins).toHaveLength(COUNT);
    expect(twins.filter((twin) => twin.status !== 'CANCELLED')).toEqual([]);
    for (const twin of twins) {
      expect(twin.cancellation?.reasonCode).toBe('CLIENT_CANCELLED');
      expect(twin.history.filter((entry) => entry.toStatus === 'CANCELLED')).toHaveLength(1);
    }

    // Done: no job left, and each delivery recorded once at the client.
    expect(await eventually(pendingJobs, (jobs) => jobs.length === 0, 5000)).toEqual([]);
    for (const appointment of booked) {
      const deliveries = (await auditOf(client, sides.clientTenant, appointment.id)).filter((event) => event.action === 'shared-booking.twin-cancelled');
      expect(deliveries).toEqual([expect.objectContaining({ details: expect.objectContaining({ status: 'CANCELLED' }) })]);
    }

    // Idempotent at the sharing side: the same cancellation again changes nothing.
    const again = await peerCancel(sharing.server, linked.token, { clientReference: booked[0].id, idempotencyKey: key() });
    expect(again.data?.peerCancel.status).toBe('CANCELLED');
    const [first] = (await sharingAppointments(sides, remoteScheduleId)).filter((a) => a.id === again.data!.peerCancel.appointmentId);
    expect(first.history.filter((entry) => entry.toStatus === 'CANCELLED')).toHaveLength(1);

    // And the client's live agenda hears the restarted sharing server again.
    const watch = watchClientAgenda(sides, linked);
    try {
      await untilAgendaLive(sides, linked, watch);
    } finally {
      await watch.close();
    }
  });

  it('the queue is durable: cancellations queued by a client server that stopped are delivered by its next instance', async () => {
    const clientDatabase = await cloneTemplateDatabase();
    const config = { ...LEAN, JOB_RETRY_BASE_MS: 100, JOB_RETRY_MAX_MS: 1000 };
    // The first instance runs no jobs: its cancellations can only be delivered from the queue, later.
    let instance: TestServer | undefined = await startTestServer({ databaseUrl: clientDatabase.url, config: { ...config, JOBS_RUN: false } });
    try {
      const topology: Topology = { name: 'two servers', get sharing() { return sharing.server; }, get client() { return instance!; }, close: async () => undefined };
      const other: Sides = { ...(await setUpSides(topology)), sharingCentre: sides.sharingCentre, sharingTenant: sides.sharingTenant };
      const name = `Client Clinic ${key().slice(2, 10)}`;
      const link = await shareAndLink(other, { client: { centreId: await createCentre(instance, other.clientTenant, { name, timeZone: 'Europe/Stockholm' }), name } });
      const remoteScheduleId = sides.sharingCentre.scheduleIds[0];
      const slots = new SlotAllocator([remoteScheduleId], { firstDay: 10, durationMinutes: 30 });
      const booked = await inBatches(Array.from({ length: 10 }, () => slots.next().start), 5, (start) =>
        bookOk(instance!, other.clientTenant.adminToken, bookAtClientInput(other, link, start)));
      for (const appointment of booked) {
        expect((await cancel(instance, other.clientTenant.adminToken, { appointmentId: appointment.id, reasonCode: 'PATIENT_REQUEST', idempotencyKey: key() })).errors).toBeUndefined();
      }
      await instance.close();
      instance = undefined;

      // The next instance starts while the sharing server is down, retries, and delivers once it is back.
      await sharing.stop();
      instance = await startTestServer({ databaseUrl: clientDatabase.url, config });
      await sharing.start();
      const twins = await eventually(
        async () => (await sharingAppointments(other, remoteScheduleId)).filter((a) => a.clientCentreName === name),
        (found) => found.length === booked.length && found.every((twin) => twin.status === 'CANCELLED'), 20_000, 250,
      );
      expect(twins.map((twin) => twin.status)).toEqual(booked.map(() => 'CANCELLED'));
      expect(twins.every((twin) => twin.history.filter((entry) => entry.toStatus === 'CANCELLED').length === 1)).toBe(true);

      const watch = watchClientAgenda(other, link);
      try {
        await untilAgendaLive(other, link, watch);
      } finally {
        await watch.close();
      }
    } finally {
      await instance?.close();
      await clientDatabase.drop();
    }
  });
});
