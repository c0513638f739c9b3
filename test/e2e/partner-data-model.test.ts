import fc from 'fast-check';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { connectWs } from '../helpers/ws-client';
import { subscribeQueued } from '../support/scheduling';
import {
  DAY_MS, FEED_STREAM, PartnerReplica, asOwner, backdateOpening, buildPartnerDataWorld, insertAppointment, insertPatient, openAccess, setBan, setConsents, shiftClock,
  type ChangeData, type Consents, type PartnerDataWorld,
} from '../support/partner-data';

/**
 * Model-based property test of seed 002's feed: random patients (consents), practitioners (bans)
 * and appointments (times around the window's edges, statuses, anonymous flags), then random steps:
 * consent toggles, bans, bookings, reschedules, cancellations, anonymous flags and clock moves.
 * After every step, a partner following the sync query and one following the live feed both hold
 * exactly what the plain reference filter below says is shared.
 */
const CONSENTS = ['dataProcessingRefused', 'allNotificationsRefused', 'advertisingRefused'] as const;
type Consent = (typeof CONSENTS)[number];

interface ModelPatient { id: string; refused: Record<Consent, boolean> }
interface ModelAppointment { id: string; patient: number; schedule: number; startMs: number; status: string; anonymous: boolean }
interface Model { patients: ModelPatient[]; banned: boolean[]; appointments: ModelAppointment[]; shiftDays: number }

/** Seed 002 in plain words: consents all given, not anonymous, practitioner not banned, start from 45 days back to 30 ahead. */
function referenceShared(model: Model, nowMs: number): string[] {
  return model.appointments.filter((appointment) => {
    const patient = model.patients[appointment.patient];
    const consentsGiven = CONSENTS.every((consent) => !patient.refused[consent]);
    const inWindow = appointment.startMs >= nowMs - 45 * DAY_MS && appointment.startMs <= nowMs + 30 * DAY_MS;
    return consentsGiven && !appointment.anonymous && !model.banned[appointment.schedule] && inWindow;
  }).map((appointment) => appointment.id).sort();
}

/**
 * Day offsets from now, half a day off the whole days (an appointment's own slot adds at most a
 * quarter): a quarter of a day from the window's edges at least, so the seconds a run takes never
 * flip one, and the days next to both edges are drawn often.
 */
const dayOffset = fc.oneof(fc.integer({ min: -50, max: 35 }), fc.constantFrom(-46, -45, 29, 30)).map((days) => days + 0.5);
const SLOT_MS = 20 * 60_000;
/** Now as the feed's clock says, to the minute, plus the days; each appointment on its own 20 minutes (none overlap). */
const startAt = (model: Model, days: number, slot: number) =>
  Math.floor((Date.now() + model.shiftDays * DAY_MS) / 60_000) * 60_000 + days * DAY_MS + slot * SLOT_MS;

type Step =
  | { kind: 'consent'; patient: number; consent: Consent }
  | { kind: 'ban'; schedule: number }
  | { kind: 'book'; patient: number; schedule: number; days: number; anonymous: boolean; status: string }
  | { kind: 'reschedule'; appointment: number; days: number }
  | { kind: 'cancel'; appointment: number }
  | { kind: 'anonymous'; appointment: number }
  | { kind: 'clock'; days: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('consent' as const), patient: fc.nat(3), consent: fc.constantFrom(...CONSENTS) }),
  fc.record({ kind: fc.constant('ban' as const), schedule: fc.nat(1) }),
  fc.record({
    kind: fc.constant('book' as const), patient: fc.nat(3), schedule: fc.nat(1), days: dayOffset, anonymous: fc.boolean(),
    status: fc.constantFrom('BOOKED', 'CONFIRMED', 'FULFILLED', 'NO_SHOW'),
  }),
  fc.record({ kind: fc.constant('reschedule' as const), appointment: fc.nat(20), days: dayOffset }),
  fc.record({ kind: fc.constant('cancel' as const), appointment: fc.nat(20) }),
  fc.record({ kind: fc.constant('anonymous' as const), appointment: fc.nat(20) }),
  fc.record({ kind: fc.constant('clock' as const), days: fc.integer({ min: 1, max: 3 }) }),
);

const scenario = fc.record({
  refusals: fc.array(fc.record({ dataProcessingRefused: fc.boolean(), allNotificationsRefused: fc.boolean(), advertisingRefused: fc.boolean() }), { minLength: 4, maxLength: 4 }),
  bans: fc.tuple(fc.boolean(), fc.boolean()),
  initial: fc.array(fc.record({ patient: fc.nat(3), schedule: fc.nat(1), days: dayOffset, anonymous: fc.boolean(), status: fc.constantFrom('BOOKED', 'CANCELLED', 'FULFILLED') }), { maxLength: 8 }),
  steps: fc.array(step, { minLength: 1, maxLength: 10 }),
});

const RUNS = 12;

describe('partner feed: model-based property test', () => {
  let app: TestServer;
  let runs = 0;
  let stepsChecked = 0;

  beforeAll(async () => {
    app = await startTestServer();
  });
  afterAll(async () => {
    await shiftClock(app, 0).catch(() => undefined);
    await app?.close();
    // The run counts the closing note reports.
    process.stdout.write(`partner feed property test: ${runs} runs, ${stepsChecked} steps checked\n`);
  });

  it('after every step, the sync query and the live feed both hold exactly the reference set', async () => {
    await fc.assert(fc.asyncProperty(scenario, async ({ refusals, bans, initial, steps }) => {
      runs++;
      await shiftClock(app, 0);
      await app.server.partnerFeedSweeper.sweep();
      const world = await buildPartnerDataWorld(app);
      const model: Model = { patients: [], banned: [...bans], appointments: [], shiftDays: 0 };
      for (const refused of refusals) model.patients.push({ id: await insertPatient(world, refused as Consents), refused: { ...refused } });
      for (const [index, banned] of bans.entries()) if (banned) await setBan(world, world.centre.practitionerIds[index], true);
      const add = async (spec: { patient: number; schedule: number; days: number; anonymous: boolean; status: string }) => {
        const startMs = startAt(model, spec.days, model.appointments.length);
        const id = await insertAppointment(world, { start: new Date(startMs), patientId: model.patients[spec.patient].id, schedule: spec.schedule, anonymous: spec.anonymous, status: spec.status });
        model.appointments.push({ id, patient: spec.patient, schedule: spec.schedule, startMs, status: spec.status, anonymous: spec.anonymous });
      };
      for (const spec of initial) await add(spec);
      await openAccess(world);
      await backdateOpening(world);

      const replica = new PartnerReplica();
      const live = new PartnerReplica();
      const ws = connectWs(app.url, world.partnerToken);
      const events = subscribeQueued<{ data?: { partnerAppointmentChanged: ChangeData } }>(ws.client, FEED_STREAM, {});
      try {
        const check = async () => {
          const expected = referenceShared(model, Date.now() + model.shiftDays * DAY_MS);
          await replica.sync(world, 3);
          expect(replica.ids()).toEqual(expected);
          const deadline = Date.now() + 4000;
          while (live.ids().join() !== expected.join() && Date.now() < deadline) {
            if (await events.nothingWithin(100)) continue;
            live.apply((await events.next(1000)).data!.partnerAppointmentChanged);
          }
          expect(live.ids()).toEqual(expected);
          stepsChecked++;
        };
        await check();
        for (const next of steps) {
          await apply(world, model, next, add);
          await check();
        }
      } finally {
        events.dispose();
        await ws.dispose();
      }
    }), { numRuns: RUNS });
  });
});

async function apply(world: PartnerDataWorld, model: Model, next: Step, add: (spec: { patient: number; schedule: number; days: number; anonymous: boolean; status: string }) => Promise<void>): Promise<void> {
  const target = 'appointment' in next ? model.appointments[next.appointment % Math.max(model.appointments.length, 1)] : undefined;
  switch (next.kind) {
    case 'consent': {
      const patient = model.patients[next.patient];
      patient.refused[next.consent] = !patient.refused[next.consent];
      await setConsents(world, patient.id, { [next.consent]: patient.refused[next.consent] });
      return;
    }
    case 'ban':
      model.banned[next.schedule] = !model.banned[next.schedule];
      await setBan(world, world.centre.practitionerIds[next.schedule], model.banned[next.schedule]);
      return;
    case 'book':
      await add(next);
      return;
    case 'reschedule': {
      if (!target) return;
      const slot = model.appointments.indexOf(target);
      target.startMs = startAt(model, next.days, slot);
      await asOwner(world.app, (db) => db.query(`UPDATE appointments SET starts_at = $2, ends_at = $2::timestamptz + interval '15 minutes' WHERE id = $1`, [target.id, new Date(target.startMs)]));
      return;
    }
    case 'cancel':
      if (!target) return;
      target.status = 'CANCELLED';
      await asOwner(world.app, (db) => db.query(`UPDATE appointments SET status = 'CANCELLED' WHERE id = $1`, [target.id]));
      return;
    case 'anonymous':
      if (!target) return;
      target.anonymous = !target.anonymous;
      await asOwner(world.app, (db) => db.query(`UPDATE appointments SET anonymous = $2 WHERE id = $1`, [target.id, target.anonymous]));
      return;
    case 'clock':
      model.shiftDays += next.days;
      await shiftClock(world.app, model.shiftDays);
      await world.app.server.partnerFeedSweeper.sweep();
  }
}
