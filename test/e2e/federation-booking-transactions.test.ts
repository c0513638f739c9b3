import { gql } from '../helpers/graphql-client';
import type { TestServer } from '../helpers/test-server';
import { peerBook, peerBookInput } from '../factories/sharing';
import { SlotAllocator, createPatient, key } from '../support/scheduling';
import {
  TOPOLOGIES, auditOf, bookAtClientInput, setUpSides, shareAndLink, startTopology, type Linked, type Sides, type Topology,
} from '../support/federation';

/**
 * A booking through a share waits on both servers' transactions in a row, and each transaction
 * costs round trips (scope, commit) and, when it writes, a durable commit. The client server runs
 * three single-statement transactions, one round trip each: the booking statement (which finds the
 * schedule is a mirror and no earlier booking with the key), what the peer call needs (the link and
 * the patient), and its record (patient, appointment, history and audit together). The sharing
 * server checks the share in one transaction and books the twin with its audit record in the next.
 * Counted from the x-sql-transactions header (DEBUG_SQL_COUNT), never timed.
 */
/** Only the new appointment's own columns: the fields a test selects must not add reads of their own. */
const BOOK_ID = `mutation Book($input: BookAppointmentInput!) { bookAppointment(input: $input) { __typename ... on Appointment { id start end } } }`;
const book = (app: TestServer, token: string, input: Record<string, unknown>) =>
  gql<{ bookAppointment: { __typename: string; id?: string } }>(app, BOOK_ID, { input }, token);

describe.each(TOPOLOGIES)('transactions of a booking through a share on %s', (name) => {
  let topology: Topology;
  let sides: Sides;
  let linked: Linked;
  let slots: SlotAllocator;

  beforeAll(async () => {
    topology = await startTopology(name);
    sides = await setUpSides(topology);
    linked = await shareAndLink(sides);
    slots = new SlotAllocator([sides.sharingCentre.scheduleIds[0]], { firstDay: 2, durationMinutes: 30 });
  });
  afterAll(async () => {
    await topology?.close();
  });

  it('a local booking at the sharing centre: one transaction (the reference)', async () => {
    const response = await book(topology.sharing, sides.sharingTenant.adminToken, {
      scheduleId: sides.sharingCentre.scheduleIds[0], serviceId: sides.sharingCentre.serviceIds[0], start: slots.next().start,
      newPatient: { familyName: 'Own', givenName: 'Patient' }, idempotencyKey: key(),
    });
    expect(response.data?.bookAppointment.__typename).toBe('Appointment');
    expect(response.sqlTransactions).toBe(1);
  });

  it('at the client server, for a new patient and for an existing one: two (the booking statement, which reads the mirror\'s plan too; the record), and the record is audited', async () => {
    const withNew = await book(topology.client, sides.clientTenant.adminToken, { ...bookAtClientInput(sides, linked, slots.next().start), idempotencyKey: key() });
    expect(withNew.data?.bookAppointment.__typename).toBe('Appointment');
    expect(withNew.sqlTransactions).toBe(2);
    expect(await auditOf(topology.client, sides.clientTenant, withNew.data!.bookAppointment.id!)).toContainEqual(expect.objectContaining({
      action: 'shared-booking.confirmed', actorKind: 'STAFF_USER', details: expect.objectContaining({ linkId: linked.linkId }),
    }));

    const patient = (await createPatient(topology.client, sides.clientTenant.adminToken, { familyName: 'Known', givenName: 'Patient' })).data!.createPatient;
    const { newPatient: _newPatient, ...input } = bookAtClientInput(sides, linked, slots.next().start);
    const withExisting = await book(topology.client, sides.clientTenant.adminToken, { ...input, patientId: patient.id, idempotencyKey: key() });
    expect(withExisting.data?.bookAppointment.__typename).toBe('Appointment');
    expect(withExisting.sqlTransactions).toBe(2);
  });

  it('a replay at the client server: the booking statement finds the key, the first booking is read back', async () => {
    const input = { ...bookAtClientInput(sides, linked, slots.next().start), idempotencyKey: key() };
    const first = await book(topology.client, sides.clientTenant.adminToken, input);
    const replay = await book(topology.client, sides.clientTenant.adminToken, input);
    expect(replay.data?.bookAppointment).toMatchObject({ __typename: 'Appointment', id: first.data!.bookAppointment.id });
    expect(replay.sqlTransactions).toBe(2);
  });
});

describe('transactions of peerBook at the sharing server', () => {
  let topology: Topology;
  let sides: Sides;
  let slots: SlotAllocator;

  beforeAll(async () => {
    topology = await startTopology('two servers');
    sides = await setUpSides(topology);
    slots = new SlotAllocator([sides.sharingCentre.scheduleIds[0]], { firstDay: 2, durationMinutes: 30 });
  });
  afterAll(async () => {
    await topology?.close();
  });

  const spec = (start: string) => ({ scheduleId: sides.sharingCentre.scheduleIds[0], serviceId: sides.sharingCentre.serviceIds[0], start });

  it('without a quota: two (the share\'s rules; the twin with its audit record), and the audit is there', async () => {
    const linked = await shareAndLink(sides);
    const response = await peerBook(topology.sharing, linked.token, peerBookInput(spec(slots.next().start)));
    expect(response.data?.peerBook.__typename).toBe('PeerBooking');
    expect(response.sqlTransactions).toBe(2);
    const twinId = (response.data!.peerBook as { appointmentId: string }).appointmentId;
    const [audit, ...more] = await auditOf(topology.sharing, sides.sharingTenant, twinId);
    expect(more).toEqual([]);
    expect(audit).toEqual({
      action: 'peer.booked', actorKind: 'PEER_SERVER',
      details: { shareId: linked.shareId, scheduleId: spec('').scheduleId, serviceId: spec('').serviceId, patientId: expect.any(String), patientCreated: true },
    });

    // A known patient (found by identity number): the record says it was not created by this booking.
    const patient = { familyName: 'Known', givenName: 'Twin', personalIdentityNumber: `19700101-${Math.floor(Math.random() * 9000) + 1000}` };
    const first = await peerBook(topology.sharing, linked.token, peerBookInput({ ...spec(slots.next().start), patient }));
    const second = await peerBook(topology.sharing, linked.token, peerBookInput({ ...spec(slots.next().start), patient }));
    const [firstAudit] = await auditOf(topology.sharing, sides.sharingTenant, (first.data!.peerBook as { appointmentId: string }).appointmentId);
    const [secondAudit] = await auditOf(topology.sharing, sides.sharingTenant, (second.data!.peerBook as { appointmentId: string }).appointmentId);
    expect(firstAudit.details).toMatchObject({ patientCreated: true });
    expect(secondAudit.details).toEqual({ ...firstAudit.details, patientCreated: false });
  });

  it('under a daily quota: a third, after the commit, decides the quota for good', async () => {
    const linked = await shareAndLink(sides, { restrictions: { dailyQuota: 5 } });
    const response = await peerBook(topology.sharing, linked.token, peerBookInput(spec(slots.next().start)));
    expect(response.data?.peerBook.__typename).toBe('PeerBooking');
    expect(response.sqlTransactions).toBe(3);
    const twinId = (response.data!.peerBook as { appointmentId: string }).appointmentId;
    expect((await auditOf(topology.sharing, sides.sharingTenant, twinId)).map((entry) => entry.action)).toContain('peer.booked');
  });

});
