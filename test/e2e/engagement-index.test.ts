import { createPrivateKey } from 'node:crypto';
import { memoryLogger } from '../helpers/memory-logger';
import { errorCode, gql, gqlOk } from '../helpers/graphql-client';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { createCentreWithSchedules } from '../factories/catalog';
import { createStaff, createTenant } from '../factories/tenants';
import { BOOK_FOR_PARTNER, buildPartnerWorld } from '../factories/partners';
import { setUpSides, shareAndLink } from '../support/federation';
import { startEngagementIndexEndpoint, type EngagementIndexEndpoint } from '../support/engagement-index-endpoint';
import {
  CONFIGURATION, DATA_CONTROLLER, RESEND, RETRY, SOURCE_SYSTEM, bookAt, buildEiWorld, configure, configureOk, delivered, fullConfiguration, indexOf,
  newHsaId, newPersonalNumber, patient, status, transactionsFor, type EiWorld,
} from '../support/engagement-index';
import { asOwner, shiftClock } from '../support/partner-data';
import { cancel, confirm, errorFields, key, localAt, reschedule, updatePatient } from '../support/scheduling';
import { createCertificateAuthority, type CertificateAuthority } from '../support/tls-certificates';

/**
 * Seed 003: every booking, rebooking and cancellation in a centre that takes part reaches the
 * national engagement index (a real HTTPS stand-in with mutual TLS that validates each Update
 * against the official XSD and the index's rules), exactly right, through failures.
 */
const compact = (instant: string, zone = 'Europe/Stockholm') => {
  const parts = new Intl.DateTimeFormat('sv-SE', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' })
    .formatToParts(new Date(instant));
  const part = (type: string) => parts.find((p) => p.type === type)!.value;
  return `${part('year')}${part('month')}${part('day')}${part('hour')}${part('minute')}${part('second')}`;
};

describe('engagement index (seed 003)', () => {
  let app: TestServer;
  let ca: CertificateAuthority;
  let endpoint: EngagementIndexEndpoint;
  const logs = memoryLogger();
  const secretsSeen: string[] = [];

  beforeAll(async () => {
    ca = createCertificateAuthority();
    endpoint = await startEngagementIndexEndpoint(ca);
    app = await startTestServer({ logger: logs.logger as never, config: { ENGAGEMENT_INDEX_POLL_MS: 50, JOB_RETRY_BASE_MS: 100, JOB_RETRY_MAX_MS: 400 } });
  });
  afterAll(async () => {
    await shiftClock(app, 0).catch(() => undefined);
    await app?.close();
    await endpoint?.close();
    ca?.dispose();
  });
  afterEach(() => {
    // No request the index refused: every Update careslot sent was valid.
    expect(endpoint.rejected.map((update) => update.problems)).toEqual([]);
  });

  const world = async (centres = 1): Promise<EiWorld> => {
    const built = await buildEiWorld(app, { centres, ca, endpoint });
    secretsSeen.push(built.client.key);
    return built;
  };
  const personal = () => {
    const number = newPersonalNumber();
    secretsSeen.push(number);
    return number;
  };

  describe('configuration', () => {
    it('enabling without a source system, data controller, endpoint or certificate names each missing field, and saves nothing', async () => {
      const w = await world();
      const response = await configure(w, { enabled: true, centreIds: [w.centres[0].centreId] });
      expect(errorCode(response)).toBe('BAD_USER_INPUT');
      expect(errorFields(response).sort()).toEqual(['input.clientCertificatePem', 'input.clientKeyPem', 'input.dataController', 'input.endpointHsaId', 'input.endpointUrl', 'input.sourceSystemHsaId']);
      expect((await gqlOk(app, CONFIGURATION, {}, w.tenant.adminToken)).engagementIndexConfiguration).toBeNull();
    });

    it('refuses a centre without HSA-id, a key that is not the certificate\'s, bad formats, and non-admins', async () => {
      const w = await world();
      const bare = await createCentreWithSchedules(app, w.tenant, { schedules: 1 });
      expect(errorFields(await configure(w, fullConfiguration(w, { centreIds: [bare.centreId] })))).toEqual(['input.centreIds']);
      expect(errorFields(await configure(w, fullConfiguration(w, { clientKeyPem: ca.issue('other', 'client').key })))).toEqual(['input.clientKeyPem']);
      expect(errorFields(await configure(w, fullConfiguration(w, { clientCertificatePem: 'not a certificate' })))).toEqual(['input.clientCertificatePem']);
      expect(errorFields(await configure(w, fullConfiguration(w, { sourceSystemHsaId: w.endpoint.hsaId })))).toEqual(['input.sourceSystemHsaId']);
      const formats = await configure(w, fullConfiguration(w, { sourceSystemHsaId: 'SRC', dataController: '12', endpointUrl: 'http://plain.example/ei' }));
      expect(errorFields(formats).sort()).toEqual(['input.dataController', 'input.endpointUrl', 'input.sourceSystemHsaId']);
      const scheduler = await createStaff(app, w.tenant, ['SCHEDULER']);
      expect(errorCode(await configure(w, fullConfiguration(w), scheduler.token))).toBe('FORBIDDEN');
      expect(errorCode(await gql(app, '{ engagementIndexStatus { enabled } }', {}, scheduler.token))).toBe('FORBIDDEN');
      expect((await gqlOk(app, CONFIGURATION, {}, w.tenant.adminToken)).engagementIndexConfiguration).toBeNull();
    });

    it('saves a complete configuration; the key is sealed and never returned; 1.1 is the default', async () => {
      const w = await world();
      const saved = await configureOk(w, fullConfiguration(w, { dataController: '232100-0016' }));
      expect(saved).toMatchObject({
        enabled: true, sourceSystemHsaId: SOURCE_SYSTEM, dataController: DATA_CONTROLLER, endpointHsaId: w.endpoint.hsaId, clientKeySet: true, trustedCaSet: true,
        contractVersion: 'V1_1', serviceDomain: 'riv:crm:scheduling', missingFields: [],
      });
      expect(JSON.stringify(saved)).not.toContain('PRIVATE KEY');
      const [stored] = await asOwner(app, (db) => db.query(`SELECT client_key_ciphertext FROM engagement_index_settings WHERE tenant_id = $1`, [w.tenant.tenantId])).then((r) => r.rows);
      const keyBody = createPrivateKey(w.client.key).export({ format: 'der', type: 'pkcs8' }).toString('base64').slice(0, 24);
      expect(Buffer.from(stored.client_key_ciphertext).toString('latin1')).not.toContain('PRIVATE KEY');
      expect(Buffer.from(stored.client_key_ciphertext).toString('base64')).not.toContain(keyBody);
      // Omitted fields keep their value.
      expect(await configureOk(w, { contractVersion: 'V2_0' })).toMatchObject({ clientKeySet: true, serviceDomain: 'riv:supportprocess:logistics:scheduling' });
    });

    it('sends nothing while the configuration is incomplete; enabling sends what was booked meanwhile', async () => {
      const w = await world();
      await configureOk(w, { enabled: false, centreIds: [w.centres[0].centreId], sourceSystemHsaId: SOURCE_SYSTEM });
      const booked = await bookAt(w, { start: localAt(3, 9), patientId: await patient(w, personal()) });
      const before = endpoint.received.length;
      await app.server.engagementIndexDispatcher.dispatch();
      expect((await status(w)).missingFields.sort()).toEqual(['clientCertificatePem', 'clientKeyPem', 'dataController', 'endpointHsaId', 'endpointUrl']);
      expect(endpoint.received.length).toBe(before);
      await configureOk(w);
      await delivered(w);
      expect(indexOf(w)).toEqual([expect.stringMatching(new RegExp(`^${booked.id}@`))]);
    });
  });

  describe('what is reported', () => {
    it('a booking creates its post, a rebooking updates mostRecentContent, a confirmation sends nothing, a cancellation deletes it', async () => {
      const w = await world();
      await configureOk(w);
      const resident = personal();
      const start = localAt(4, 10);
      const booked = await bookAt(w, { start, patientId: await patient(w, resident) });
      await delivered(w);
      expect(indexOf(w)).toEqual([`${booked.id}@${w.hsaIds[0]}:${resident}`]);
      const moved = localAt(5, 11);
      await reschedule(app, w.tenant.adminToken, { appointmentId: booked.id, start: moved, idempotencyKey: key() });
      await delivered(w);
      await confirm(app, w.tenant.adminToken, { appointmentId: booked.id, idempotencyKey: key() });
      await delivered(w);
      await cancel(app, w.tenant.adminToken, { appointmentId: booked.id, reasonCode: 'PATIENT_REQUEST', idempotencyKey: key() });
      await delivered(w);
      const key1 = {
        registeredResidentIdentification: resident, serviceDomain: 'riv:crm:scheduling', categorization: 'NA', logicalAddress: w.hsaIds[0],
        businessObjectInstanceIdentifier: booked.id, clinicalProcessInterestId: 'NA', sourceSystem: SOURCE_SYSTEM, dataController: DATA_CONTROLLER,
      };
      expect(transactionsFor(w, [booked.id])).toEqual([
        { deleteFlag: false, engagement: { ...key1, mostRecentContent: compact(start) } },
        { deleteFlag: false, engagement: { ...key1, mostRecentContent: compact(moved) } },
        { deleteFlag: true, engagement: key1 },
      ]);
      expect(indexOf(w)).toEqual([]);
      expect((await status(w)).delivered).toMatchObject({ posts: 0, transactions: 3 });
    });

    it('skips and counts patients without a Swedish personal or coordination number, and anonymous bookings', async () => {
      const w = await world();
      await configureOk(w);
      const coordination = `${personal().slice(0, 8)}T${personal().slice(9)}`;
      const ok = await bookAt(w, { start: localAt(3, 9), patientId: await patient(w, coordination) });
      await bookAt(w, { start: localAt(3, 10), patientId: await patient(w, null) });
      await bookAt(w, { start: localAt(3, 11), patientId: await patient(w, '1912121-21212') });
      await bookAt(w, { start: localAt(3, 12), patientId: await patient(w, personal()), anonymous: true });
      const after = await delivered(w);
      expect(indexOf(w)).toEqual([`${ok.id}@${w.hsaIds[0]}:${coordination}`]);
      expect(after.skipped).toEqual({ withoutPersonalNumber: 2, anonymous: 1 });
    });

    it('a changed key field (the patient\'s number, the centre\'s HSA-id) deletes the old post and creates the new in one Update', async () => {
      const w = await world();
      await configureOk(w);
      const [first, second] = [personal(), personal()];
      const patientId = await patient(w, first);
      const booked = await bookAt(w, { start: localAt(6, 9), patientId });
      await delivered(w);
      const requests = endpoint.received.length;
      await updatePatient(app, w.tenant.adminToken, { id: patientId, personalIdentityNumber: second });
      await delivered(w);
      expect(endpoint.received.length).toBe(requests + 1);
      expect(endpoint.received.at(-1)!.transactions.map((t) => [t.deleteFlag, t.engagement.registeredResidentIdentification])).toEqual([[true, first], [false, second]]);
      const newHsa = newHsaId();
      w.hsaIds.push(newHsa);
      await gqlOk(app, 'mutation($input: UpdateCentreInput!) { updateCentre(input: $input) { id } }', { input: { id: w.centres[0].centreId, hsaId: newHsa } }, w.tenant.adminToken);
      await delivered(w);
      expect(endpoint.received.at(-1)!.transactions.map((t) => [t.deleteFlag, t.engagement.logicalAddress])).toEqual([[true, w.hsaIds[0]], [false, newHsa]]);
      expect(indexOf(w)).toEqual([`${booked.id}@${newHsa}:${second}`]);
    });

    it('a booking made on a hold is reported like any other (every door writes the history the outbox is fed from)', async () => {
      const w = await world();
      await configureOk(w);
      const start = localAt(7, 9);
      const hold = await gqlOk<{ holdSlot: { id: string } }>(app, `mutation($input: HoldSlotInput!) { holdSlot(input: $input) { ... on Hold { id } } }`,
        { input: { scheduleId: w.centres[0].scheduleIds[0], serviceId: w.centres[0].serviceIds[0], start, idempotencyKey: key() } }, w.tenant.adminToken);
      await delivered(w);
      expect(indexOf(w)).toEqual([]);
      const resident = personal();
      const booked = await gqlOk<{ bookAppointment: { id: string } }>(app, `mutation($input: BookAppointmentInput!) { bookAppointment(input: $input) { ... on Appointment { id } } }`,
        { input: { holdId: hold.holdSlot.id, patientId: await patient(w, resident), idempotencyKey: key() } }, w.tenant.adminToken);
      await delivered(w);
      expect(indexOf(w)).toEqual([`${booked.bookAppointment.id}@${w.hsaIds[0]}:${resident}`]);
    });

    it('bookings by a partner app and by staff for a partner are reported like the staff\'s own (every door writes the history)', async () => {
      const w = await world();
      const partners = await buildPartnerWorld(app, w.tenant);
      const hsaId = newHsaId();
      w.hsaIds.push(hsaId);
      await gqlOk(app, 'mutation($input: UpdateCentreInput!) { updateCentre(input: $input) { id } }', { input: { id: partners.centreX, hsaId } }, w.tenant.adminToken);
      await configureOk(w, fullConfiguration(w, { centreIds: [partners.centreX] }));
      const resident = personal();
      const patientId = await patient(w, resident);
      const booked: string[] = [];
      for (const [token, partnerId, hour] of [[partners.appA, undefined, 9], [partners.staffForPartners.token, partners.partnerA, 10]] as const) {
        const answer = await gqlOk<{ bookForPartner: { __typename: string; id: string } }>(app, BOOK_FOR_PARTNER, {
          input: { ...(partnerId ? { partnerId } : {}), scheduleId: partners.x1, serviceId: partners.s1, start: localAt(3, hour), patientId, idempotencyKey: key() },
        }, token);
        expect(answer.bookForPartner.__typename).toBe('PartnerBooking');
        booked.push(answer.bookForPartner.id);
      }
      await delivered(w);
      expect(indexOf(w)).toEqual(booked.map((id) => `${id}@${hsaId}:${resident}`).sort());
    });

    it('a share client\'s booking is reported once, by the sharing tenant (peer door), never from the client\'s mirror', async () => {
      const sides = await setUpSides({ name: 'one server', sharing: app, client: app, close: async () => undefined });
      const linked = await shareAndLink(sides);
      const setHsa = async (tenantToken: string, centreId: string) => {
        const hsaId = newHsaId();
        await gqlOk(app, 'mutation($input: UpdateCentreInput!) { updateCentre(input: $input) { id } }', { input: { id: centreId, hsaId } }, tenantToken);
        return hsaId;
      };
      const sharingHsa = await setHsa(sides.sharingTenant.adminToken, sides.sharingCentre.centreId);
      const clientHsa = await setHsa(sides.clientTenant.adminToken, linked.client.centreId);
      const worldOf = (tenant: typeof sides.sharingTenant, centreId: string, hsaId: string): EiWorld => ({
        app, tenant, ca, endpoint, client: ca.issue('careslot share', 'client'), hsaIds: [hsaId],
        centres: [{ centreId, timeZone: 'Europe/Stockholm', scheduleIds: [], practitionerIds: [], serviceIds: [], services: [] }],
      });
      const sharing = worldOf(sides.sharingTenant, sides.sharingCentre.centreId, sharingHsa);
      const client = worldOf(sides.clientTenant, linked.client.centreId, clientHsa);
      await configureOk(sharing);
      await configureOk(client);
      const resident = personal();
      const patientId = await patient(client, resident);
      const shared = sides.sharingCentre.scheduleIds[0];
      const booked = await bookAt(client, { start: localAt(4, 9), patientId, scheduleId: linked.mirrorOf[shared], serviceId: linked.mirrorServiceOf[sides.sharingCentre.serviceIds[0]] });
      await delivered(sharing);
      await delivered(client);
      const [twin] = await asOwner(app, (db) => db.query(`SELECT id FROM appointments WHERE tenant_id = $1 AND origin = 'SHARED_CLIENT'`, [sides.sharingTenant.tenantId])).then((r) => r.rows);
      expect(indexOf(sharing)).toEqual([`${twin.id}@${sharingHsa}:${resident}`]);
      expect(indexOf(client)).toEqual([]);
      expect(twin.id).not.toBe(booked.id);
    });

    it('contract 2.0: the 2.0 service domain, mostRecentContent the latest change; switching versions moves every post', async () => {
      const w = await world();
      await configureOk(w, fullConfiguration(w, { contractVersion: 'V2_0' }));
      const booked = await bookAt(w, { start: localAt(8, 9), patientId: await patient(w, personal()) });
      await delivered(w);
      const [created] = transactionsFor(w, [booked.id]);
      expect(created.engagement.serviceDomain).toBe('riv:supportprocess:logistics:scheduling');
      expect(created.engagement.mostRecentContent).toBe(compact(new Date().toISOString()).slice(0, 10) + created.engagement.mostRecentContent.slice(10));
      await configureOk(w, { contractVersion: 'V1_1' });
      await delivered(w);
      expect(transactionsFor(w, [booked.id]).slice(1).map((t) => [t.deleteFlag, t.engagement.serviceDomain])).toEqual([
        [true, 'riv:supportprocess:logistics:scheduling'], [false, 'riv:crm:scheduling'],
      ]);
    });

    it('when the start passes, the sweeper sends exactly one delete', async () => {
      const w = await world();
      await configureOk(w);
      const booked = await bookAt(w, { start: localAt(1, 9), patientId: await patient(w, personal()) });
      await delivered(w);
      await shiftClock(app, 3);
      try {
        await app.server.engagementIndexDispatcher.sweepPassed();
        await delivered(w);
        await app.server.engagementIndexDispatcher.sweepPassed();
        await delivered(w);
      } finally {
        await shiftClock(app, 0);
      }
      expect(transactionsFor(w, [booked.id]).map((t) => t.deleteFlag)).toEqual([false, true]);
      expect(indexOf(w)).toEqual([]);
    });

    it('removing a centre from the configuration deletes its posts', async () => {
      const w = await world(2);
      await configureOk(w);
      await bookAt(w, { centre: 0, start: localAt(3, 9), patientId: await patient(w, personal()) });
      const kept = await bookAt(w, { centre: 1, start: localAt(3, 9), patientId: await patient(w, personal()) });
      await delivered(w);
      expect(indexOf(w)).toHaveLength(2);
      await configureOk(w, { centreIds: [w.centres[1].centreId] });
      await delivered(w);
      expect(indexOf(w)).toEqual([expect.stringMatching(new RegExp(`^${kept.id}@${w.hsaIds[1]}`))]);
    });
  });

  describe('batches', () => {
    it('a backlog of 2,500 bookings goes in Updates of at most 1,000 transactions, no key twice in one, each valid', async () => {
      const w = await world();
      await configureOk(w);
      const patients: string[] = [];
      for (let i = 0; i < 5; i++) patients.push(await patient(w, personal()));
      const requests = endpoint.received.length;
      // Written in one statement, as a bulk import would: the same trigger feeds the outbox.
      await asOwner(app, (db) => db.query(
        `WITH booked AS (
           INSERT INTO appointments (tenant_id, schedule_id, service_id, patient_id, starts_at, ends_at)
           SELECT $1, $2, $3, ($4::uuid[])[1 + i % 5], date_trunc('hour', now()) + interval '1 day' + i * interval '15 minutes',
                  date_trunc('hour', now()) + interval '1 day' + (i + 1) * interval '15 minutes'
           FROM generate_series(0, 2499) i RETURNING id, status, starts_at, ends_at
         )
         INSERT INTO appointment_changes (tenant_id, appointment_id, action, actor_kind, to_status, starts_at, ends_at)
         SELECT $1, id, 'BOOKED', 'OPERATOR', status, starts_at, ends_at FROM booked`,
        [w.tenant.tenantId, w.centres[0].scheduleIds[0], w.centres[0].serviceIds[0], patients],
      ));
      await delivered(w, 60_000);
      const updates = endpoint.received.slice(requests);
      expect(updates.map((update) => update.transactions.length)).toEqual([1000, 1000, 500]);
      for (const update of updates) expect(new Set(update.transactions.map((t) => JSON.stringify(t.engagement))).size).toBe(update.transactions.length);
      expect(indexOf(w)).toHaveLength(2500);
    }, 120_000); // a hang deadline
  });

  describe('resync, failures and dead letters', () => {
    it('resendEngagementIndex re-sends every eligible future booking, and twice does no harm', async () => {
      const w = await world();
      await configureOk(w);
      for (const hour of [9, 10, 11]) await bookAt(w, { start: localAt(4, hour), patientId: await patient(w, personal()) });
      await delivered(w);
      const index = indexOf(w);
      for (let round = 0; round < 2; round++) {
        const requests = endpoint.received.length;
        expect((await gqlOk<{ resendEngagementIndex: number }>(app, RESEND, { input: { centreId: w.centres[0].centreId } }, w.tenant.adminToken)).resendEngagementIndex).toBe(3);
        await delivered(w);
        expect(endpoint.received.length).toBe(requests + 1);
        expect(endpoint.received.at(-1)!.transactions.filter((t) => !t.deleteFlag)).toHaveLength(3);
        expect(indexOf(w)).toEqual(index);
      }
      const other = await createTenant(app);
      expect(errorCode(await gql(app, RESEND, { input: { centreId: w.centres[0].centreId } }, other.adminToken))).toBe('NOT_FOUND');
    });

    it('network failures, 5xx and SOAP faults are retried with backoff; nothing is lost', async () => {
      const w = await world();
      await configureOk(w);
      endpoint.answerNext('FAULT', 1);
      const first = await bookAt(w, { start: localAt(5, 9), patientId: await patient(w, personal()) });
      const deadline = Date.now() + 10_000;
      let failing = await status(w);
      while (!failing.pending.lastError && Date.now() < deadline) {
        await app.server.engagementIndexDispatcher.dispatch();
        failing = await status(w);
      }
      expect(failing.pending).toMatchObject({ appointments: 1, failedAttempts: 1, lastError: expect.stringContaining('SOAP fault') });
      await delivered(w);
      endpoint.answerNext('UNAVAILABLE', 2);
      const second = await bookAt(w, { start: localAt(5, 10), patientId: await patient(w, personal()) });
      const after = await delivered(w);
      expect(indexOf(w).map((post) => post.split('@')[0]).sort()).toEqual([first.id, second.id].sort());
      expect(after.pending).toMatchObject({ failedAttempts: 0, retryAt: null });
      expect(after.failed.count).toBe(0);
    });

    it('ResultCode ERROR puts the appointments on the dead-letter list with the index\'s message; retry sends them again', async () => {
      const w = await world();
      await configureOk(w);
      endpoint.answerNext('ERROR', 1, 'Invalid logical address');
      const booked = await bookAt(w, { start: localAt(6, 9), patientId: await patient(w, personal()) });
      const failed = await delivered(w);
      expect(failed.failed).toEqual({ count: 1, items: [{ appointmentId: booked.id, reason: 'Invalid logical address', failedAt: expect.any(String) }] });
      expect(indexOf(w)).toEqual([]);
      expect((await gqlOk<{ retryEngagementIndexFailures: number }>(app, RETRY, { input: {} }, w.tenant.adminToken)).retryEngagementIndexFailures).toBe(1);
      const retried = await delivered(w);
      expect(retried.failed.count).toBe(0);
      expect(indexOf(w)).toEqual([expect.stringMatching(new RegExp(`^${booked.id}@`))]);
    });

    it('an endpoint that does not trust the client certificate gets nothing, and the status says why', async () => {
      const w = await world();
      const stranger = createCertificateAuthority('stranger CA');
      const client = stranger.issue('careslot', 'client');
      secretsSeen.push(client.key);
      await configureOk(w, fullConfiguration(w, { clientCertificatePem: client.cert, clientKeyPem: client.key }));
      const refusals = endpoint.tlsRefusals;
      await bookAt(w, { start: localAt(6, 10), patientId: await patient(w, personal()) });
      const deadline = Date.now() + 10_000;
      let current = await status(w);
      while (!current.pending.lastError && Date.now() < deadline) {
        await app.server.engagementIndexDispatcher.dispatch();
        current = await status(w);
      }
      expect(current.pending.appointments).toBe(1);
      expect(current.pending.lastError).toMatch(/^(TLS|UNREACHABLE)/);
      expect(endpoint.tlsRefusals).toBeGreaterThan(refusals);
      await configureOk(w, { enabled: false });
      stranger.dispose();
    });
  });

  it('canary: the client key and the personal numbers never appear in the logs', async () => {
    const w = await world();
    await configureOk(w);
    endpoint.answerNext('FAULT', 1);
    await bookAt(w, { start: localAt(9, 9), patientId: await patient(w, personal()) });
    await delivered(w);
    const text = logs.text();
    expect(text).toContain('engagement index');
    for (const secret of secretsSeen) {
      const needle = secret.includes('PRIVATE KEY') ? secret.split('\n')[1] : secret;
      expect(text).not.toContain(needle);
    }
    expect(text).not.toContain('PRIVATE KEY');
  });
});
