import { randomBytes, randomUUID } from 'node:crypto';
import { errorCode, gql, gqlOk, type GraphQLResponse } from '../helpers/graphql-client';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { createTenant } from '../factories/tenants';
import {
  BOOK_FOR_PARTNER, PARTNER_AVAILABILITY, PARTNER_BOOKING, PARTNER_BOOKINGS, PARTNER_CENTRES, PARTNER_PATIENT, PARTNER_PRACTITIONERS,
  PARTNER_QUALIFICATIONS, PARTNER_SERVICES, STAFF_APPOINTMENT, buildPartnerWorld, readAsOwner, setCentreOffline,
  type AvailabilityData, type PartnerBookingData, type PartnerWorld,
} from '../factories/partners';
import { createPatient, errorFields, key, localAt, plusMinutes, sameInstant } from '../support/scheduling';

/**
 * Seed 001's partner booking flow, step by step, through each of the three doors that book for a
 * partner: a staff user with PARTNER_BOOKING naming the partner, a partner user, a partner app.
 * Then the typed failures of bookForPartner, idempotency, and bad input that writes nothing.
 */

type DoorName = 'staff with PARTNER_BOOKING' | 'partner user' | 'partner app';
const DOOR_NAMES: DoorName[] = ['staff with PARTNER_BOOKING', 'partner user', 'partner app'];

interface Door {
  name: DoorName;
  kind: 'STAFF_USER' | 'PARTNER_USER' | 'PARTNER_APP';
  token: string;
  /** The partnerId argument the door sends: staff name the partner, partner principals leave it out. */
  named?: string;
  origin: 'PARTNER_BOOKING' | 'PARTNER_APP';
  /** What the appointment history and the audit log record as the actor. */
  actorId: string;
  /** The day (days ahead) this door books in, so doors never compete for a slot. */
  day: number;
}

interface AuditRow extends Record<string, unknown> {
  id: string;
  actor_kind: string;
  actor_id: string | null;
  entity_id: string | null;
  details: { partnerId?: string; found?: boolean };
}

const pin = () => `1990${randomBytes(4).toString('hex')}`;

describe('partner booking: the flow through each door', () => {
  let app: TestServer;
  let w: PartnerWorld;
  let doors: Record<DoorName, Door>;
  let patient: { id: string; familyName: string; givenName: string; pin: string };

  beforeAll(async () => {
    app = await startTestServer();
    const tenant = await createTenant(app);
    w = await buildPartnerWorld(app, tenant);
    doors = {
      'staff with PARTNER_BOOKING': {
        name: 'staff with PARTNER_BOOKING', kind: 'STAFF_USER', token: w.staffForPartners.token, named: w.partnerA, origin: 'PARTNER_BOOKING',
        actorId: w.staffForPartners.userId, day: 2,
      },
      'partner user': { name: 'partner user', kind: 'PARTNER_USER', token: w.userA.token, origin: 'PARTNER_BOOKING', actorId: w.userA.userId, day: 3 },
      'partner app': { name: 'partner app', kind: 'PARTNER_APP', token: w.appA, origin: 'PARTNER_APP', actorId: w.partnerA, day: 4 },
    };
    const patientPin = pin();
    const created = await createPatient(app, w.tenant.adminToken, { familyName: 'Lindqvist', givenName: 'Anna', personalIdentityNumber: patientPin });
    patient = { ...created.data!.createPatient, pin: patientPin };
  });
  afterAll(() => app?.close());

  /** Calls as the door, with its partnerId argument (named for staff, left out for partner principals). */
  const as = <T = Record<string, any>>(door: Door, query: string, variables: Record<string, unknown> = {}) =>
    gql<T>(app, query, { ...(door.named ? { partnerId: door.named } : {}), ...variables }, door.token);
  const okAs = async <T = Record<string, any>>(door: Door, query: string, variables: Record<string, unknown> = {}): Promise<T> => {
    const response = await as<T>(door, query, variables);
    if (response.errors?.length || !response.data) throw new Error(`${door.name}: ${JSON.stringify(response.errors)}`);
    return response.data;
  };
  const bookAs = (door: Door, input: Record<string, unknown>) =>
    gql<{ bookForPartner: PartnerBookingData }>(app, BOOK_FOR_PARTNER, {
      input: { ...(door.named ? { partnerId: door.named } : {}), idempotencyKey: key(), ...input },
    }, door.token);
  const outcomeOf = async (door: Door, input: Record<string, unknown>): Promise<string> => {
    const response = await bookAs(door, input);
    if (response.errors?.length) throw new Error(`${door.name}: ${JSON.stringify(response.errors)}`);
    return response.data!.bookForPartner.__typename;
  };
  const availabilityAs = async (door: Door, centreId: string, serviceId: string, day: number, extra: Record<string, unknown> = {}) =>
    (await okAs<{ partnerAvailability: AvailabilityData }>(door, PARTNER_AVAILABILITY, {
      centreId, serviceId, from: localAt(day, 0), to: localAt(day + 1, 0), ...extra,
    })).partnerAvailability;
  const lookUpAs = async (door: Door, personalIdentityNumber: string, familyName: string) =>
    (await okAs<{ partnerPatient: { id: string; familyName: string; givenName: string } | null }>(door, PARTNER_PATIENT, { personalIdentityNumber, familyName })).partnerPatient;
  const lookUps = () => readAsOwner<AuditRow>(app, w.tenant.tenantId,
    `SELECT id, actor_kind, actor_id, entity_id, details FROM audit_events WHERE tenant_id = $1 AND action = 'partner.patient-looked-up'`, [w.tenant.tenantId]);
  const counts = async () => (await readAsOwner<{ appointments: number; patients: number; changes: number }>(app, w.tenant.tenantId,
    `SELECT (SELECT count(*)::int FROM appointments WHERE tenant_id = $1) AS appointments,
            (SELECT count(*)::int FROM patients WHERE tenant_id = $1) AS patients,
            (SELECT count(*)::int FROM appointment_changes WHERE tenant_id = $1) AS changes`, [w.tenant.tenantId]))[0];

  /** Two FREE starts of x1 for s1 on the door's day that do not overlap (the service takes 30 minutes). */
  function twoFreeStarts(availability: AvailabilityData): [string, string] {
    const x1 = availability.schedules.find((schedule) => schedule.scheduleId === w.x1)!;
    const free = x1.slots.filter((slot) => slot.state === 'FREE').map((slot) => slot.start);
    const first = free[0]!;
    const second = free.find((start) => Date.parse(start) >= Date.parse(first) + 30 * 60_000)!;
    return [first, second];
  }

  it.each(DOOR_NAMES)('%s: centres → qualifications → practitioners → services → green slots → patient → booking, limited to activated channels', async (name) => {
    const door = doors[name];

    // 1. Centres: only where A has an activated channel (not Y, B's only), and never an offline one (Z).
    const centres = await okAs<{ partnerCentres: Array<{ id: string; offline: boolean }> }>(door, PARTNER_CENTRES);
    expect(centres.partnerCentres).toEqual([expect.objectContaining({ id: w.centreX, offline: false })]);

    // 2a. Qualifications of the practitioners performing A's activated services (s1 by the cardiologist, s3 by the radiologist).
    expect((await okAs(door, PARTNER_QUALIFICATIONS, { centreId: w.centreX })).partnerQualifications).toEqual(['cardiology', 'radiology']);
    expect((await okAs(door, PARTNER_QUALIFICATIONS, { centreId: w.centreY })).partnerQualifications).toEqual([]);

    // 2b. Practitioners, narrowed by qualification.
    const practitioners = async (filter: Record<string, unknown>) =>
      (await okAs<{ partnerPractitioners: Array<{ id: string }> }>(door, PARTNER_PRACTITIONERS, { centreId: w.centreX, ...filter })).partnerPractitioners.map((p) => p.id);
    expect(await practitioners({})).toEqual([w.cardiologist, w.radiologist]);
    expect(await practitioners({ qualification: 'cardiology' })).toEqual([w.cardiologist]);
    expect(await practitioners({ qualification: 'radiology' })).toEqual([w.radiologist]);
    expect(await practitioners({ qualification: 'dermatology' })).toEqual([]);

    // 2c. Services: s1 and s3 only; s2 is offered by both schedules but activated for B alone.
    const services = async (filter: Record<string, unknown>) =>
      (await okAs<{ partnerServices: Array<{ id: string }> }>(door, PARTNER_SERVICES, { centreId: w.centreX, ...filter })).partnerServices.map((s) => s.id);
    expect(await services({})).toEqual([w.s1, w.s3]);
    expect(await services({ practitionerId: w.cardiologist })).toEqual([w.s1]);
    expect(await services({ qualification: 'radiology' })).toEqual([w.s3]);
    expect(await services({ practitionerId: w.radiologist, qualification: 'cardiology' })).toEqual([]);

    // 3. Green slots: only for an activated service, only in the schedules offering it.
    const availability = await availabilityAs(door, w.centreX, w.s1, door.day);
    expect(availability.schedules.map((s) => s.scheduleId)).toEqual([w.x1]);
    const slots = availability.schedules[0]!.slots;
    expect(slots.length).toBeGreaterThan(0);
    expect(slots.every((slot) => slot.state === 'FREE')).toBe(true);
    expect((await availabilityAs(door, w.centreX, w.s3, door.day)).schedules.map((s) => s.scheduleId)).toEqual([w.x2]);
    expect((await availabilityAs(door, w.centreX, w.s2, door.day)).schedules).toEqual([]);
    expect((await availabilityAs(door, w.centreX, w.s1, door.day, { practitionerId: w.radiologist })).schedules).toEqual([]);
    expect((await availabilityAs(door, w.centreY, w.s1, door.day)).schedules).toEqual([]);
    expect((await availabilityAs(door, w.centreZ, w.s1, door.day)).schedules).toEqual([]);

    // 4. The patient: exact number and family name (any case); each look-up audited, found or not.
    const before = new Set((await lookUps()).map((row) => row.id));
    const expected = { id: patient.id, familyName: 'Lindqvist', givenName: 'Anna' };
    expect(await lookUpAs(door, patient.pin, 'Lindqvist')).toEqual(expected);
    expect(await lookUpAs(door, patient.pin, 'LINDQVIST')).toEqual(expected);
    expect(await lookUpAs(door, patient.pin, 'lindqvist')).toEqual(expected);
    expect(await lookUpAs(door, patient.pin, 'Lindqvista')).toBeNull();
    expect(await lookUpAs(door, patient.pin, 'Lind')).toBeNull();
    expect(await lookUpAs(door, patient.pin.slice(0, -1), 'Lindqvist')).toBeNull();
    const written = (await lookUps()).filter((row) => !before.has(row.id));
    expect(written).toHaveLength(6);
    for (const row of written) {
      expect(row).toMatchObject({ actor_kind: door.kind, actor_id: door.actorId, details: { partnerId: w.partnerA } });
      expect(row.entity_id).toBe(row.details.found ? patient.id : null);
    }
    expect(written.filter((row) => row.details.found)).toHaveLength(3);

    // 5. Book a green slot, with the patient found, and with a new patient.
    const [first, second] = twoFreeStarts(availability);
    const withPatient = await bookAs(door, { scheduleId: w.x1, serviceId: w.s1, start: first, patientId: patient.id, note: 'via partner' });
    expect(withPatient.errors).toBeUndefined();
    expect(withPatient.data!.bookForPartner).toMatchObject({
      __typename: 'PartnerBooking', partnerId: w.partnerA, origin: door.origin, status: 'BOOKED', start: sameInstant(first), end: sameInstant(plusMinutes(first, 30)),
      centreId: w.centreX, scheduleId: w.x1, serviceId: w.s1, patientId: patient.id,
      patient: expected, centre: { id: w.centreX }, service: { id: w.s1 }, practitioner: { id: w.cardiologist },
    });
    const newPin = pin();
    const familyName = `Berg${door.kind.replace('_', '')}`;
    const withNewPatient = await bookAs(door, { scheduleId: w.x1, serviceId: w.s1, start: second, newPatient: { familyName, givenName: 'Nils', personalIdentityNumber: newPin } });
    expect(withNewPatient.errors).toBeUndefined();
    const booked = withNewPatient.data!.bookForPartner;
    expect(booked).toMatchObject({ __typename: 'PartnerBooking', partnerId: w.partnerA, origin: door.origin, patient: { familyName, givenName: 'Nils' } });
    expect(booked.patientId).not.toBe(patient.id);
    expect(await lookUpAs(door, newPin, familyName.toUpperCase())).toEqual({ id: booked.patientId, familyName, givenName: 'Nils' });

    // A partner principal's read of the booking's patient (the `patient` field above) is audited too.
    if (door.kind !== 'STAFF_USER') {
      const reads = await readAsOwner<{ details: { partnerId: string | null; patientIds: string[] } }>(app, w.tenant.tenantId,
        `SELECT details FROM audit_events WHERE tenant_id = $1 AND action = 'partner.patients-read' AND actor_kind = $2 AND actor_id = $3`,
        [w.tenant.tenantId, door.kind, door.actorId]);
      for (const id of [patient.id, booked.patientId]) {
        expect(reads.some((row) => row.details.partnerId === w.partnerA && row.details.patientIds.includes(id!))).toBe(true);
      }
    }

    // Flagged for staff: origin, partner, and the acting user (or app) in the history.
    for (const id of [withPatient.data!.bookForPartner.id, booked.id]) {
      const seen = (await gqlOk(app, STAFF_APPOINTMENT, { id }, w.tenant.adminToken)).appointment;
      expect(seen).toMatchObject({ id, origin: door.origin, partnerId: w.partnerA, partner: { id: w.partnerA }, history: [{ action: 'BOOKED', actorKind: door.kind, actorId: door.actorId }] });
    }

    // The door reads its bookings back; the slots are OCCUPIED now.
    expect((await okAs(door, PARTNER_BOOKING, { id: booked.id })).partnerBooking).toEqual({ id: booked.id, partnerId: w.partnerA, origin: door.origin, status: 'BOOKED' });
    const listed = (await okAs<{ partnerBookings: { nodes: Array<{ id: string }> } }>(door, PARTNER_BOOKINGS, { first: 100 })).partnerBookings.nodes.map((n) => n.id);
    expect(listed).toEqual(expect.arrayContaining([withPatient.data!.bookForPartner.id, booked.id]));
    const after = (await availabilityAs(door, w.centreX, w.s1, door.day)).schedules[0]!;
    for (const start of [first, second]) expect(after.slots.find((slot) => Date.parse(slot.start) === Date.parse(start))?.state).toBe('OCCUPIED');
    // Occupied time is merged: each booking lies inside one occupied interval.
    for (const start of [first, second]) {
      expect(after.occupied.some((interval) => Date.parse(interval.start) <= Date.parse(start) && Date.parse(interval.end) >= Date.parse(start) + 30 * 60_000)).toBe(true);
    }
  });

  describe('typed failures', () => {
    const slotOn = (day: number, hour: number, minute = 0) => localAt(day, hour, minute);

    it('ServiceNotActivatedForPartner: a service the schedule offers but the partner has no channel for, through every door', async () => {
      for (const door of Object.values(doors)) {
        expect(await outcomeOf(door, { scheduleId: w.x1, serviceId: w.s2, start: slotOn(door.day, 15), patientId: patient.id })).toBe('ServiceNotActivatedForPartner');
        // A centre where A has no channel at all.
        expect(await outcomeOf(door, { scheduleId: w.y1, serviceId: w.s1, start: slotOn(door.day, 15), patientId: patient.id })).toBe('ServiceNotActivatedForPartner');
      }
      // B has the channel: the same request succeeds for B's app.
      const forB = await gql<{ bookForPartner: PartnerBookingData }>(app, BOOK_FOR_PARTNER, {
        input: { scheduleId: w.x1, serviceId: w.s2, start: slotOn(5, 15), patientId: patient.id, idempotencyKey: key() },
      }, w.appB);
      expect(forB.data?.bookForPartner).toMatchObject({ __typename: 'PartnerBooking', partnerId: w.partnerB, origin: 'PARTNER_APP' });
    });

    it('ServiceNotOffered: an activated service the schedule does not offer', async () => {
      for (const door of Object.values(doors)) {
        expect(await outcomeOf(door, { scheduleId: w.x1, serviceId: w.s3, start: slotOn(door.day, 15, 30), patientId: patient.id })).toBe('ServiceNotOffered');
      }
    });

    it('CentreOffline: an offline centre takes no partner booking; online again it does, offline again it disappears', async () => {
      for (const door of Object.values(doors)) {
        expect(await outcomeOf(door, { scheduleId: w.z1, serviceId: w.s1, start: slotOn(door.day, 9), patientId: patient.id })).toBe('CentreOffline');
      }
      await setCentreOffline(app, w.tenant, w.centreZ, false);
      try {
        for (const door of Object.values(doors)) {
          expect((await okAs<{ partnerCentres: Array<{ id: string }> }>(door, PARTNER_CENTRES)).partnerCentres.map((c) => c.id).sort()).toEqual([w.centreX, w.centreZ].sort());
          expect((await availabilityAs(door, w.centreZ, w.s1, door.day)).schedules.map((s) => s.scheduleId)).toEqual([w.z1]);
        }
        expect(await outcomeOf(doors['partner app'], { scheduleId: w.z1, serviceId: w.s1, start: slotOn(6, 9), patientId: patient.id })).toBe('PartnerBooking');
      } finally {
        await setCentreOffline(app, w.tenant, w.centreZ, true);
      }
      for (const door of Object.values(doors)) {
        expect((await okAs<{ partnerCentres: Array<{ id: string }> }>(door, PARTNER_CENTRES)).partnerCentres.map((c) => c.id)).toEqual([w.centreX]);
        expect((await availabilityAs(door, w.centreZ, w.s1, 6)).schedules).toEqual([]);
        expect(await outcomeOf(door, { scheduleId: w.z1, serviceId: w.s1, start: slotOn(6, 10), patientId: patient.id })).toBe('CentreOffline');
      }
    });

    it('SlotUnavailable: a slot taken (by any door, or by the clinic) or overlapped', async () => {
      const start = slotOn(7, 11);
      expect(await outcomeOf(doors['partner app'], { scheduleId: w.x1, serviceId: w.s1, start, patientId: patient.id })).toBe('PartnerBooking');
      for (const door of Object.values(doors)) {
        expect(await outcomeOf(door, { scheduleId: w.x1, serviceId: w.s1, start, patientId: patient.id })).toBe('SlotUnavailable');
        expect(await outcomeOf(door, { scheduleId: w.x1, serviceId: w.s1, start: plusMinutes(start, 15), patientId: patient.id })).toBe('SlotUnavailable');
        expect(await outcomeOf(door, { scheduleId: w.x1, serviceId: w.s1, start: plusMinutes(start, -15), patientId: patient.id })).toBe('SlotUnavailable');
      }
    });

    it('OffSlotGrid, OutsideOpeningHours, InThePast and PatientNotFound', async () => {
      for (const door of Object.values(doors)) {
        expect(await outcomeOf(door, { scheduleId: w.x1, serviceId: w.s1, start: slotOn(door.day, 12, 5), patientId: patient.id })).toBe('OffSlotGrid');
        expect(await outcomeOf(door, { scheduleId: w.x1, serviceId: w.s1, start: slotOn(door.day, 16, 45), patientId: patient.id })).toBe('OutsideOpeningHours');
        expect(await outcomeOf(door, { scheduleId: w.x1, serviceId: w.s1, start: slotOn(door.day, 20), patientId: patient.id })).toBe('OutsideOpeningHours');
        expect(await outcomeOf(door, { scheduleId: w.x1, serviceId: w.s1, start: slotOn(-1, 10), patientId: patient.id })).toBe('InThePast');
        expect(await outcomeOf(door, { scheduleId: w.x1, serviceId: w.s1, start: slotOn(door.day, 12, 30), patientId: randomUUID() })).toBe('PatientNotFound');
      }
    });

    it('an unknown schedule is NOT_FOUND', async () => {
      for (const door of Object.values(doors)) {
        expect(errorCode(await bookAs(door, { scheduleId: randomUUID(), serviceId: w.s1, start: slotOn(door.day, 13), patientId: patient.id }))).toBe('NOT_FOUND');
      }
    });
  });

  describe('idempotency', () => {
    it('replays the same booking for the same key and input, and answers CONFLICT for other input', async () => {
      for (const [index, door] of Object.values(doors).entries()) {
        const idempotencyKey = key();
        const input = { scheduleId: w.x1, serviceId: w.s1, start: localAt(8, 9 + index), newPatient: { familyName: 'Replay', givenName: `N${index}` }, idempotencyKey };
        const first = await bookAs(door, input);
        expect(first.data?.bookForPartner.__typename).toBe('PartnerBooking');
        const before = await counts();
        const again = await bookAs(door, input);
        expect(again.data?.bookForPartner).toMatchObject({ __typename: 'PartnerBooking', id: first.data!.bookForPartner.id, patientId: first.data!.bookForPartner.patientId });
        expect(await counts()).toEqual(before);
        const other = await bookAs(door, { ...input, start: localAt(8, 9 + index, 30) });
        expect(errorCode(other)).toBe('CONFLICT');
        expect(await counts()).toEqual(before);
      }
    });
  });

  describe('bad input', () => {
    const valid = () => ({ scheduleId: w.x1, serviceId: w.s1, start: localAt(9, 10), newPatient: { familyName: 'Never', givenName: 'Written' } });
    const cases: Array<[string, (input: Record<string, unknown>) => Record<string, unknown>, string]> = [
      ['a malformed scheduleId', (input) => ({ ...input, scheduleId: 'not-a-uuid' }), 'input.scheduleId'],
      ['a malformed serviceId', (input) => ({ ...input, serviceId: '12345' }), 'input.serviceId'],
      ['a malformed patientId', (input) => ({ ...input, newPatient: undefined, patientId: 'x' }), 'input.patientId'],
      ['a malformed partnerId', (input) => ({ ...input, partnerId: 'nope' }), 'input.partnerId'],
      ['a malformed idempotency key', (input) => ({ ...input, idempotencyKey: 'bad key!' }), 'input.idempotencyKey'],
      ['a too short idempotency key', (input) => ({ ...input, idempotencyKey: 'short' }), 'input.idempotencyKey'],
      ['both patientId and newPatient', (input) => ({ ...input, patientId: randomUUID() }), 'input.patientId'],
      ['neither patientId nor newPatient', (input) => ({ ...input, newPatient: undefined }), 'input.patientId'],
      ['an empty family name for the new patient', (input) => ({ ...input, newPatient: { familyName: '', givenName: 'X' } }), 'input.newPatient.familyName'],
    ];

    it.each(cases)('%s → BAD_USER_INPUT naming the field, and nothing written', async (_label, change, field) => {
      const before = await counts();
      for (const door of Object.values(doors)) {
        const response: GraphQLResponse = await gql(app, BOOK_FOR_PARTNER, {
          input: change({ ...(door.named ? { partnerId: door.named } : {}), idempotencyKey: key(), ...valid() }),
        }, door.token);
        expect(errorCode(response)).toBe('BAD_USER_INPUT');
        expect(errorFields(response)).toContain(field);
      }
      expect(await counts()).toEqual(before);
    });

    it('staff with PARTNER_BOOKING must name the partner (BAD_USER_INPUT on partnerId), and nothing is written', async () => {
      const before = await counts();
      const staff = doors['staff with PARTNER_BOOKING'];
      const response = await gql(app, BOOK_FOR_PARTNER, { input: { ...valid(), idempotencyKey: key() } }, staff.token);
      expect(errorCode(response)).toBe('BAD_USER_INPUT');
      expect(errorFields(response).join(',')).toMatch(/partnerId/);
      expect(errorCode(await gql(app, PARTNER_CENTRES, {}, staff.token))).toBe('BAD_USER_INPUT');
      expect(await counts()).toEqual(before);
    });
  });
});
