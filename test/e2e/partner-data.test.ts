import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { Client } from 'pg';
import { errorCode, gql, gqlOk } from '../helpers/graphql-client';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { connectWs } from '../helpers/ws-client';
import { createPartner, createPartnerAppToken } from '../factories/partners';
import { createStaff, createTenant } from '../factories/tenants';
import { bookOk, key, localAt, subscribeQueued } from '../support/scheduling';
import {
  CLOSE_ACCESS, FEED, FEED_STREAM, OPEN_ACCESS, PartnerReplica, asOwner, backdateOpening, buildPartnerDataWorld, closeAccess, daysFromNow, feedPage,
  insertAppointment, insertPatient, openAccess, setBan, setConsents, shiftClock, type ChangeData, type PartnerDataWorld,
} from '../support/partner-data';
import { canariesIn, canary, memoryLogger } from '../support/federation';

/**
 * Seed 002 from outside: the clinic head opens the tenant's data to a partner; from 24 hours later
 * the partner follows a feed of exactly the shared appointments (consents, anonymous, bans, the
 * sliding window), live and resumable, acts on them, and every read is audited.
 */
const CONFIRM = `mutation($input: PartnerConfirmInput!) { partnerConfirmAppointment(input: $input) { id status } }`;
const HISTORY = `query($id: ID!) { appointment(id: $id) { history { action actorKind actorId } } }`;
const CANCEL = `mutation($input: PartnerCancelInput!) { partnerCancelAppointment(input: $input) { id status cancellation { reasonCode reasonText } } }`;
const POSTPONE = `mutation($input: PartnerPostponeInput!) { partnerPostponeAppointment(input: $input) { __typename ... on Appointment { id start } ... on SlotUnavailable { message } } }`;
const NOTIFY = `mutation($input: RecordPartnerNotificationInput!) {
  recordPartnerNotification(input: $input) { __typename ... on PartnerNotification { id channel purpose } ... on NotificationNotAllowed { message } }
}`;
const LOG = `query($partnerId: ID!, $from: Instant!, $to: Instant!) {
  partnerAccessLog(partnerId: $partnerId, from: $from, to: $to, first: 100) { nodes { action actorKind actorId credentialIds appointmentIds patientIds } }
}`;

/** Opens the partner's access and moves the opening a day back: data flows. */
async function openAndBegin(world: PartnerDataWorld): Promise<void> {
  await openAccess(world);
  await backdateOpening(world);
}

describe('partner data access (seed 002)', () => {
  let app: TestServer;
  let world: PartnerDataWorld;

  beforeAll(async () => {
    app = await startTestServer();
  });
  afterAll(async () => {
    await app?.close();
  });
  beforeEach(async () => {
    world = await buildPartnerDataWorld(app);
  });

  const open = () => openAndBegin(world);

  it('only a CLINIC_HEAD opens and closes; an ADMIN who is not one, and the partner, are FORBIDDEN; both are audited', async () => {
    const asAdmin = await gql(app, OPEN_ACCESS, { input: { partnerId: world.partnerId } }, world.tenant.adminToken);
    expect(errorCode(asAdmin)).toBe('FORBIDDEN');
    expect(errorCode(await gql(app, OPEN_ACCESS, { input: { partnerId: world.partnerId } }, world.partnerToken))).toBe('FORBIDDEN');

    const opened = (await openAccess(world)).openPartnerDataAccess;
    expect(opened.state).toBe('PENDING');
    expect(Date.parse(opened.beginsAt) - Date.now()).toBeGreaterThan(23.9 * 3600_000);
    expect(errorCode(await gql(app, CLOSE_ACCESS, { input: { partnerId: world.partnerId } }, world.tenant.adminToken))).toBe('FORBIDDEN');
    await closeAccess(world);

    const log = await gqlOk<{ partnerAccessLog: { nodes: Array<{ action: string; actorKind: string }> } }>(app, LOG, {
      partnerId: world.partnerId, from: new Date(Date.now() - 60_000).toISOString(), to: new Date(Date.now() + 60_000).toISOString(),
    }, world.tenant.adminToken);
    expect(log.partnerAccessLog.nodes.map((n) => [n.action, n.actorKind])).toEqual([['partner-data.opened', 'STAFF_USER'], ['partner-data.closed', 'STAFF_USER']]);
  });

  it('nothing flows for 24 hours (the API says when it begins); closing stops queries, actions and the live feed at once; reopening waits again', async () => {
    const patient = await insertPatient(world);
    const appointment = await insertAppointment(world, { start: daysFromNow(2), patientId: patient });
    await openAccess(world);
    const pending = await feedPage(world);
    expect(pending).toMatchObject({ access: { state: 'PENDING' }, changes: [], cursor: null });
    expect(Date.parse(pending.access.beginsAt!)).toBeGreaterThan(Date.now() + 23 * 3600_000);
    expect(errorCode(await gql(app, CONFIRM, { input: { appointmentId: appointment, idempotencyKey: key() } }, world.partnerToken))).toBe('NOT_FOUND');

    // A live feed cannot start before access begins: it says when it will.
    const early = connectWs(app.url, world.partnerToken);
    const refused = subscribeQueued(early.client, FEED_STREAM, {});
    try {
      await expect(async () => refused.next(3000)).rejects.toThrow();
      expect(JSON.stringify(refused.errors)).toContain('Data access begins at');
    } finally {
      refused.dispose();
      await early.dispose();
    }

    await backdateOpening(world);
    const replica = new PartnerReplica();
    await replica.sync(world);
    expect(replica.ids()).toEqual([appointment]);
    // Another partner's cursor is not this partner's place: it starts over.
    const otherPartnerToken = await createPartnerAppToken(app, world.tenant, await createPartner(app, world.tenant));
    const foreignCursor = (await gqlOk<{ partnerAppointments: { cursor: string | null } }>(app, FEED, { after: null, first: 5 }, otherPartnerToken)).partnerAppointments.cursor;
    expect(foreignCursor).toBeNull();
    const stolen = await feedPage(world, Buffer.from(JSON.stringify({ p: 'someone-else', e: 1, x: '0', i: '00000000-0000-0000-0000-000000000000', f: null })).toString('base64url'));
    expect(stolen).toMatchObject({ reset: true, changes: [expect.objectContaining({ kind: 'UPSERT' })] });

    const ws = connectWs(app.url, world.partnerToken);
    const live = subscribeQueued<{ data?: { partnerAppointmentChanged: ChangeData } }>(ws.client, FEED_STREAM, { after: replica.cursor });
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      await closeAccess(world);
      const closed = await live.next(3000);
      expect(closed.data?.partnerAppointmentChanged.kind).toBe('ACCESS_CLOSED');
      await expect(async () => live.next(1500)).rejects.toThrow();
      expect(live.completed).toBe(true);
    } finally {
      live.dispose();
      await ws.dispose();
    }
    expect(await feedPage(world, replica.cursor)).toMatchObject({ access: { state: 'CLOSED' }, changes: [], reset: true });
    expect(errorCode(await gql(app, CONFIRM, { input: { appointmentId: appointment, idempotencyKey: key() } }, world.partnerToken))).toBe('NOT_FOUND');

    await openAccess(world);
    expect((await feedPage(world, replica.cursor)).access.state).toBe('PENDING');
    await backdateOpening(world);
    const again = await feedPage(world, replica.cursor);
    expect(again.reset).toBe(true);
    expect(again.changes.map((c) => c.appointment?.id)).toEqual([appointment]);
  });

  it('shares exactly seed 002\'s set: consents, anonymous, banned practitioners, 45 days back to 30 ahead; names and phone only', async () => {
    const ok = await insertPatient(world);
    const refusedProcessing = await insertPatient(world, { dataProcessingRefused: true });
    const refusedNotifications = await insertPatient(world, { allNotificationsRefused: true });
    const refusedAdvertising = await insertPatient(world, { advertisingRefused: true });
    const shared = [
      await insertAppointment(world, { start: daysFromNow(-44, 1), patientId: ok, status: 'FULFILLED' }),
      await insertAppointment(world, { start: daysFromNow(29, 2), patientId: ok }),
      await insertAppointment(world, { start: daysFromNow(3, 3), patientId: ok, status: 'CANCELLED' }),
    ];
    await insertAppointment(world, { start: daysFromNow(-46, 4), patientId: ok });
    await insertAppointment(world, { start: daysFromNow(31, 5), patientId: ok });
    await insertAppointment(world, { start: daysFromNow(1, 6), patientId: ok, anonymous: true });
    for (const [index, patient] of [refusedProcessing, refusedNotifications, refusedAdvertising].entries()) {
      await insertAppointment(world, { start: daysFromNow(1, 30 + index * 20), patientId: patient });
    }
    await setBan(world, world.centre.practitionerIds[1], true);
    await insertAppointment(world, { start: daysFromNow(2, 20), patientId: ok, schedule: 1 });
    await open();

    const replica = new PartnerReplica();
    const pages = await replica.sync(world);
    expect(replica.ids()).toEqual([...shared].sort());
    const first = pages[0].changes[0].appointment!;
    expect(first.patient).toEqual({ id: ok, familyName: expect.any(String), givenName: 'Given', patronymic: 'Patron', phone: '+46 70 000 00 00' });
    expect(JSON.stringify(pages)).not.toContain('PIN-');
    expect(pages.flatMap((p) => p.changes).every((c) => c.kind === 'UPSERT')).toBe(true);
  });

  it('pages of 500 with every documented field pass the default query-cost limit (one statement reads a page)', async () => {
    const patient = await insertPatient(world);
    await insertAppointment(world, { start: daysFromNow(2, 1), patientId: patient });
    await open();
    const page = await gql<{ partnerAppointments: { changes: unknown[] } }>(app, FEED, { after: null, first: 500 }, world.partnerToken);
    expect(page.errors).toBeUndefined();
    expect(page.data?.partnerAppointments.changes).toHaveLength(1);
    expect(errorCode(await gql(app, FEED, { after: null, first: 501 }, world.partnerToken))).toBe('BAD_USER_INPUT');
  });

  it('follows changes from its cursor: consent refused and restored, a ban, a new booking, an anonymous flag; tombstones say why', async () => {
    const patient = await insertPatient(world);
    const other = await insertPatient(world);
    const a1 = await insertAppointment(world, { start: daysFromNow(2, 1), patientId: patient });
    const a2 = await insertAppointment(world, { start: daysFromNow(3, 1), patientId: other, schedule: 1 });
    await open();
    const replica = new PartnerReplica();
    await replica.sync(world);
    expect(replica.ids()).toEqual([a1, a2].sort());

    await setConsents(world, patient, { allNotificationsRefused: true });
    const afterRefusal = await replica.syncUntil(world, () => !replica.appointments.has(a1));
    const removals = afterRefusal.flatMap((p) => p.changes).map((c) => c.removed);
    expect(removals).toEqual(expect.arrayContaining([
      { entity: 'APPOINTMENT', id: a1, patientId: patient, reason: 'CONSENT_CHANGED' },
      { entity: 'PATIENT', id: patient, patientId: patient, reason: 'CONSENT_CHANGED' },
    ]));
    expect(replica.ids()).toEqual([a2]);
    const refused = await gqlOk<{ recordPartnerNotification: { __typename: string } }>(app, NOTIFY, {
      input: { appointmentId: a1, channel: 'SMS', purpose: 'REMINDER', sentAt: new Date().toISOString(), idempotencyKey: key() },
    }, world.partnerToken);
    expect(refused.recordPartnerNotification.__typename).toBe('NotificationNotAllowed');

    await setConsents(world, patient, { allNotificationsRefused: false });
    await replica.syncUntil(world, () => replica.appointments.has(a1));
    expect(replica.ids()).toEqual([a1, a2].sort());

    await setBan(world, world.centre.practitionerIds[1], true);
    const afterBan = (await replica.syncUntil(world, () => !replica.appointments.has(a2))).flatMap((p) => p.changes);
    expect(afterBan.map((c) => c.removed)).toEqual([{ entity: 'APPOINTMENT', id: a2, patientId: other, reason: 'PRACTITIONER_BANNED' }]);

    const booked = await bookOk(app, world.tenant.adminToken, {
      scheduleId: world.centre.scheduleIds[0], serviceId: world.centre.serviceIds[0], start: localAt(5, 11), patientId: patient, idempotencyKey: key(),
    });
    await replica.syncUntil(world, () => replica.appointments.has(booked.id));
    expect(replica.appointments.get(booked.id)).toMatchObject({ status: 'BOOKED', patient: { id: patient } });

    await asOwner(app, (db) => db.query(`UPDATE appointments SET anonymous = true WHERE id = $1`, [a1]));
    const afterAnonymous = (await replica.syncUntil(world, () => !replica.appointments.has(a1))).flatMap((p) => p.changes);
    expect(afterAnonymous.map((c) => c.removed?.reason)).toEqual(['ANONYMOUS']);
    expect(replica.appointments.has(a1)).toBe(false);
  });

  it('never skips a change that commits after a later one: rows wait below the oldest running transaction', async () => {
    const patient = await insertPatient(world);
    const early = await insertAppointment(world, { start: daysFromNow(2, 1), patientId: patient });
    const late = await insertAppointment(world, { start: daysFromNow(3, 1), patientId: patient });
    await open();
    const replica = new PartnerReplica();
    await replica.sync(world);
    const slow = new Client({ connectionString: app.databaseUrl });
    await slow.connect();
    try {
      // The slow transaction changes `early` first (the older transaction id) and commits last.
      await slow.query('BEGIN');
      await slow.query(`UPDATE appointments SET status = 'CONFIRMED' WHERE id = $1`, [early]);
      await asOwner(app, (db) => db.query(`UPDATE appointments SET status = 'CONFIRMED' WHERE id = $1`, [late]));
      await replica.sync(world);
      await slow.query('COMMIT');
      await replica.sync(world);
      expect(replica.appointments.get(early)?.status).toBe('CONFIRMED');
      expect(replica.appointments.get(late)?.status).toBe('CONFIRMED');
    } finally {
      await slow.end();
    }
  });

  it('a transaction running in another database of the cluster holds nothing back', async () => {
    const patient = await insertPatient(world);
    const appointment = await insertAppointment(world, { start: daysFromNow(2, 1), patientId: patient });
    await open();
    const replica = new PartnerReplica();
    await replica.sync(world);
    const elsewhere = new Client({ connectionString: process.env.DATABASE_URL ?? app.databaseUrl.replace(/\/[^/]+$/, '/postgres') });
    await elsewhere.connect();
    try {
      await elsewhere.query('BEGIN');
      await elsewhere.query('SELECT pg_current_xact_id()');
      await asOwner(app, (db) => db.query(`UPDATE appointments SET status = 'CONFIRMED' WHERE id = $1`, [appointment]));
      await replica.sync(world);
      expect(replica.appointments.get(appointment)?.status).toBe('CONFIRMED');
    } finally {
      await elsewhere.query('ROLLBACK');
      await elsewhere.end();
    }
  });

  it('the window slides without an edit: moved two days on, one appointment enters the 30 days ahead and one passes 45 days back', async () => {
    const patient = await insertPatient(world);
    const entering = await insertAppointment(world, { start: daysFromNow(31, 1), patientId: patient });
    const leaving = await insertAppointment(world, { start: daysFromNow(-44, 1), patientId: patient });
    await open();
    await app.server.partnerFeedSweeper.sweep();
    const replica = new PartnerReplica();
    await replica.sync(world);
    expect(replica.ids()).toEqual([leaving]);
    try {
      await shiftClock(app, 2);
      await app.server.partnerFeedSweeper.sweep();
      const changes = (await replica.sync(world)).flatMap((p) => p.changes);
      expect(replica.ids()).toEqual([entering]);
      expect(changes.find((c) => c.removed?.id === leaving)?.removed?.reason).toBe('OUTSIDE_WINDOW');
    } finally {
      await shiftClock(app, 0);
      await app.server.partnerFeedSweeper.sweep();
    }
  });

  it('the live feed replays from a cursor, then goes live; a consent change arrives live as REMOVEs (its latency is bench scenario 16)', async () => {
    const patient = await insertPatient(world);
    const a1 = await insertAppointment(world, { start: daysFromNow(2, 1), patientId: patient });
    await open();
    const replica = new PartnerReplica();
    await replica.sync(world);
    const a2 = await insertAppointment(world, { start: daysFromNow(2, 31), patientId: patient });
    await asOwner(app, (db) => db.query(`SELECT 1`));

    const ws = connectWs(app.url, world.partnerToken);
    const live = subscribeQueued<{ data?: { partnerAppointmentChanged: ChangeData } }>(ws.client, FEED_STREAM, { after: replica.cursor });
    try {
      const replayed = await live.next(3000);
      expect(replayed.data?.partnerAppointmentChanged).toMatchObject({ kind: 'UPSERT', appointment: { id: a2 } });
      await setConsents(world, patient, { dataProcessingRefused: true });
      const removed: ChangeData[] = [];
      // A generous deadline that only catches a hang: how fast they arrive is measured in bench/.
      while (removed.length < 3) removed.push((await live.next(10_000)).data!.partnerAppointmentChanged);
      expect(removed.map((c) => [c.removed?.entity, c.removed?.id]).sort()).toEqual([['APPOINTMENT', a1], ['APPOINTMENT', a2], ['PATIENT', patient]].sort());
    } finally {
      live.dispose();
      await ws.dispose();
    }
  });

  it('acts only on shared appointments: confirm, postpone, cancel and notify as the partner; others are NOT_FOUND', async () => {
    const patient = await insertPatient(world);
    const appointment = await insertAppointment(world, { start: new Date(localAt(3, 10)), patientId: patient });
    const hidden = await insertAppointment(world, { start: new Date(localAt(3, 12)), patientId: patient, anonymous: true });
    await open();

    const confirmed = await gqlOk<{ partnerConfirmAppointment: { status: string } }>(
      app, CONFIRM, { input: { appointmentId: appointment, idempotencyKey: key() } }, world.partnerToken);
    expect(confirmed.partnerConfirmAppointment.status).toBe('CONFIRMED');
    // The clinic sees who did it: the partner.
    const history = await gqlOk<{ appointment: { history: Array<{ actorKind: string; actorId: string }> } }>(app, HISTORY, { id: appointment }, world.tenant.adminToken);
    expect(history.appointment.history.at(-1)).toMatchObject({ actorKind: 'PARTNER_APP', actorId: world.partnerId });
    expect(errorCode(await gql(app, CONFIRM, { input: { appointmentId: hidden, idempotencyKey: key() } }, world.partnerToken))).toBe('NOT_FOUND');

    const notified = await gqlOk<{ recordPartnerNotification: { __typename: string } }>(app, NOTIFY, {
      input: { appointmentId: appointment, channel: 'SMS', purpose: 'REMINDER', sentAt: new Date().toISOString(), idempotencyKey: key() },
    }, world.partnerToken);
    expect(notified.recordPartnerNotification.__typename).toBe('PartnerNotification');

    const postpone = (start: string) => gqlOk<{ partnerPostponeAppointment: { __typename: string; start?: string } }>(app, POSTPONE, {
      input: { appointmentId: appointment, start, idempotencyKey: key() },
    }, world.partnerToken);
    expect((await postpone(localAt(3, 12))).partnerPostponeAppointment.__typename).toBe('SlotUnavailable');
    const moved = (await postpone(localAt(4, 10))).partnerPostponeAppointment;
    expect(moved.__typename).toBe('Appointment');
    expect(Date.parse(moved.start!)).toBe(Date.parse(localAt(4, 10)));

    const cancelled = await gqlOk<{ partnerCancelAppointment: { status: string; cancellation: { reasonCode: string; reasonText: string } } }>(
      app, CANCEL, { input: { appointmentId: appointment, reasonText: 'patient asked', idempotencyKey: key() } }, world.partnerToken);
    expect(cancelled.partnerCancelAppointment).toMatchObject({ status: 'CANCELLED', cancellation: { reasonCode: 'PARTNER_CANCELLED', reasonText: 'patient asked' } });

    // Another partner of the tenant, without access, and another tenant's partner: NOT_FOUND.
    const otherPartner = await createPartnerAppToken(app, world.tenant, await createPartner(app, world.tenant));
    expect(errorCode(await gql(app, CONFIRM, { input: { appointmentId: appointment, idempotencyKey: key() } }, otherPartner))).toBe('NOT_FOUND');
    const stranger = await createTenant(app);
    const strangerToken = await createPartnerAppToken(app, stranger, await createPartner(app, stranger));
    expect(errorCode(await gql(app, CONFIRM, { input: { appointmentId: appointment, idempotencyKey: key() } }, strangerToken))).toBe('NOT_FOUND');
    expect((await feedPage(world, undefined, 100, otherPartner)).access.state).toBe('CLOSED');
  });

  it('audits every read: which appointments and patients, by which credential; a clinic head or ADMIN reads the log', async () => {
    const patient = await insertPatient(world);
    const appointment = await insertAppointment(world, { start: daysFromNow(2, 0), patientId: patient });
    await open();
    await new PartnerReplica().sync(world);
    const log = await gqlOk<{ partnerAccessLog: { nodes: Array<{ action: string; actorKind: string; credentialIds: string[]; appointmentIds: string[]; patientIds: string[] }> } }>(
      app, LOG, { partnerId: world.partnerId, from: new Date(Date.now() - 3 * 86_400_000).toISOString(), to: new Date(Date.now() + 60_000).toISOString() }, world.headToken);
    const reads = log.partnerAccessLog.nodes.filter((n) => n.action === 'partner-data.read');
    expect(reads).toEqual([expect.objectContaining({ actorKind: 'PARTNER_APP', credentialIds: [expect.any(String)], appointmentIds: [appointment], patientIds: [patient] })]);
    const viewer = (await createStaff(app, world.tenant, ['VIEWER'])).token;
    expect(errorCode(await gql(app, LOG, { partnerId: world.partnerId, from: new Date(0).toISOString(), to: new Date().toISOString() }, viewer))).toBe('FORBIDDEN');
  });
});

describe('partner data access: a patient who refused processing never leaves', () => {
  const log = memoryLogger();
  let app: TestServer;
  let world: PartnerDataWorld;

  beforeAll(async () => {
    app = await startTestServer({ logger: log.logger });
    world = await buildPartnerDataWorld(app);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('the canary is in no partner response, WebSocket frame, error or log line', async () => {
    const bird = canary();
    const canaryPatient = await asOwner(app, async (db) => (await db.query<{ id: string }>(
      `INSERT INTO patients (tenant_id, family_name, given_name, phone, personal_identity_number, data_processing_refused)
       VALUES ($1, $2, $3, $4, $5, true) RETURNING id`, [world.tenant.tenantId, bird.familyName, bird.givenName, bird.phone, bird.personalIdentityNumber],
    )).rows[0].id);
    const canaryAppointments = [
      await insertAppointment(world, { start: new Date(localAt(2, 10)), patientId: canaryPatient }),
      await insertAppointment(world, { start: new Date(localAt(-3, 10)), patientId: canaryPatient, status: 'FULFILLED' }),
    ];
    await asOwner(app, (db) => db.query(`UPDATE appointments SET note = $2 WHERE id = ANY($1::uuid[])`, [canaryAppointments, bird.note]));
    const visible = await insertAppointment(world, { start: new Date(localAt(2, 12)), patientId: await insertPatient(world) });
    await openAndBegin(world);

    const seen: unknown[] = [];
    const replica = new PartnerReplica();
    seen.push(...await replica.sync(world, 1));
    expect(replica.ids()).toEqual([visible]);
    seen.push(await gql(app, FEED, { after: 'not-a-cursor', first: 5 }, world.partnerToken));
    for (const appointmentId of canaryAppointments) {
      seen.push(await gql(app, CONFIRM, { input: { appointmentId, idempotencyKey: key() } }, world.partnerToken));
      seen.push(await gql(app, CANCEL, { input: { appointmentId, reasonText: 'x', idempotencyKey: key() } }, world.partnerToken));
      seen.push(await gql(app, POSTPONE, { input: { appointmentId, start: localAt(5, 10), idempotencyKey: key() } }, world.partnerToken));
      seen.push(await gql(app, NOTIFY, { input: { appointmentId, channel: 'SMS', purpose: 'REMINDER', sentAt: new Date().toISOString(), idempotencyKey: key() } }, world.partnerToken));
    }
    // Actions: NOT_FOUND; a notification: refused by the consents (the id is only known to a partner it was shared with once).
    const answers = seen.slice(-8).map((response) => {
      const { data, errors } = response as { data?: { recordPartnerNotification?: { __typename: string } }; errors?: Array<{ extensions: { code: string } }> };
      return errors?.[0].extensions.code ?? data?.recordPartnerNotification?.__typename;
    });
    expect(answers).toEqual(Array(2).fill(['NOT_FOUND', 'NOT_FOUND', 'NOT_FOUND', 'NotificationNotAllowed']).flat());

    const frames: string[] = [];
    const client = createClient({
      url: `${app.url.replace(/^http/, 'ws')}/graphql`, lazy: false, retryAttempts: 0, connectionParams: { authorization: `Bearer ${world.partnerToken}` },
      webSocketImpl: class extends WebSocket {
        constructor(address: string, protocols?: string | string[]) {
          super(address, protocols);
          this.on('message', (data) => frames.push(String(data)));
        }
      },
    });
    const events = subscribeQueued<{ data?: { partnerAppointmentChanged: ChangeData } }>(client, FEED_STREAM, {});
    try {
      expect((await events.next(3000)).data?.partnerAppointmentChanged.appointment?.id).toBe(visible);
      // A change to the canary: at most tombstones (ids and a reason), never an UPSERT.
      await setConsents(world, canaryPatient, { allNotificationsRefused: true });
      const after: ChangeData[] = [];
      while (!(await events.nothingWithin(1500))) after.push((await events.next(100)).data!.partnerAppointmentChanged);
      expect(after.every((change) => change.kind === 'REMOVE')).toBe(true);
    } finally {
      events.dispose();
      await client.dispose();
    }
    expect(frames.length).toBeGreaterThan(1);
    expect(canariesIn(seen, [bird])).toEqual([]);
    expect(canariesIn(frames.join('\n'), [bird])).toEqual([]);
    expect(log.text().length).toBeGreaterThan(0);
    expect(canariesIn(log.text(), [bird])).toEqual([]);
  });
});
