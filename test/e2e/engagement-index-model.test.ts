import fc from 'fast-check';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { gqlOk } from '../helpers/graphql-client';
import { startEngagementIndexEndpoint, type EngagementIndexEndpoint } from '../support/engagement-index-endpoint';
import { bookAt, buildEiWorld, configureOk, delivered, fullConfiguration, indexOf, newHsaId, newPersonalNumber, patient, type EiWorld } from '../support/engagement-index';
import { shiftClock } from '../support/partner-data';
import { cancel, key, localAt, reschedule, updatePatient } from '../support/scheduling';
import { createCertificateAuthority, type CertificateAuthority } from '../support/tls-certificates';

/**
 * Model-based property test of seed 003: random sequences of bookings, rebookings, moves between
 * centres, patient number changes (valid, invalid, none), centre HSA-id changes, cancellations and
 * clock moves past start times. After delivery, the index the stand-in keeps equals exactly the
 * eligible future bookings of the plain model below, and the stand-in refused no request.
 */
const DAY_MS = 24 * 60 * 60_000;
interface ModelAppointment { id: string; centre: number; patient: number; startMs: number; cancelled: boolean; schedule: number }
interface Model { numbers: Array<string | null>; patientIds: string[]; hsaIds: string[]; appointments: ModelAppointment[]; shiftDays: number }

const VALID = /^[0-9]{8}[0-9pPtTfF][0-9]{3}$/;
function expectedIndex(model: Model): string[] {
  const now = Date.now() + model.shiftDays * DAY_MS;
  return model.appointments
    .filter((a) => !a.cancelled && a.startMs > now && VALID.test(model.numbers[a.patient] ?? ''))
    .map((a) => `${a.id}@${model.hsaIds[a.centre]}:${model.numbers[a.patient]}`).sort();
}

type Step =
  | { kind: 'book'; patient: number; centre: number; day: number }
  | { kind: 'rebook'; appointment: number; day: number }
  | { kind: 'move'; appointment: number; day: number }
  | { kind: 'cancel'; appointment: number }
  | { kind: 'number'; patient: number; to: 'valid' | 'coordination' | 'invalid' }
  | { kind: 'centre'; centre: number }
  | { kind: 'clock'; days: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('book' as const), patient: fc.nat(2), centre: fc.nat(1), day: fc.integer({ min: 1, max: 5 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('rebook' as const), appointment: fc.nat(9), day: fc.integer({ min: 1, max: 5 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('move' as const), appointment: fc.nat(9), day: fc.integer({ min: 1, max: 5 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('cancel' as const), appointment: fc.nat(9) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('number' as const), patient: fc.nat(2), to: fc.constantFrom('valid' as const, 'coordination' as const, 'invalid' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('centre' as const), centre: fc.nat(1) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('clock' as const), days: fc.integer({ min: 1, max: 2 }) }) },
);

const scenario = fc.record({
  numbers: fc.array(fc.constantFrom('valid', 'none', 'invalid'), { minLength: 3, maxLength: 3 }),
  version: fc.constantFrom('V1_1', 'V2_0'),
  steps: fc.array(step, { minLength: 3, maxLength: 12 }),
  deliverEvery: fc.integer({ min: 1, max: 6 }),
});

const RUNS = 30;

describe('engagement index: model-based property test', () => {
  let app: TestServer;
  let ca: CertificateAuthority;
  let endpoint: EngagementIndexEndpoint;
  let runs = 0;
  let steps = 0;
  let updates = 0;

  beforeAll(async () => {
    ca = createCertificateAuthority();
    endpoint = await startEngagementIndexEndpoint(ca);
    app = await startTestServer({ config: { ENGAGEMENT_INDEX_POLL_MS: 50 } });
  });
  afterAll(async () => {
    await shiftClock(app, 0).catch(() => undefined);
    await app?.close();
    await endpoint?.close();
    ca?.dispose();
    // The run counts the closing note reports.
    process.stdout.write(`engagement index property test: ${runs} runs, ${steps} steps, ${updates} Updates accepted, ${endpoint?.rejected.length} refused\n`);
  });

  it('after delivery, the index holds exactly the eligible future bookings, and no Update was refused', async () => {
    await fc.assert(fc.asyncProperty(scenario, async ({ numbers, version, steps: plan, deliverEvery }) => {
      runs++;
      await shiftClock(app, 0);
      const accepted = endpoint.received.filter((u) => u.answer === 'OK').length;
      const w: EiWorld = await buildEiWorld(app, { centres: 2, ca, endpoint });
      const fresh = (kind: string): string | null => {
        if (kind === 'none') return null;
        const number = newPersonalNumber();
        if (kind === 'coordination') return `${number.slice(0, 8)}T${number.slice(9)}`;
        return kind === 'invalid' ? `${number.slice(0, 8)}-${number.slice(8)}` : number;
      };
      const model: Model = { numbers: [], patientIds: [], hsaIds: [...w.hsaIds], appointments: [], shiftDays: 0 };
      for (const kind of numbers) {
        const number = fresh(kind);
        model.numbers.push(number);
        model.patientIds.push(await patient(w, number));
      }
      await configureOk(w, fullConfiguration(w, { contractVersion: version }));
      // Each centre's first schedule hands out distinct half-hours (08:00 + k·30 min) on the day asked for: none overlap.
      const used = [0, 0];
      const slot = (centre: number, day: number) => {
        const k = used[centre]++;
        return { schedule: 0, start: localAt(day, 8 + Math.floor(k / 2), (k % 2) * 30) };
      };
      const live = (index: number) => model.appointments.filter((a) => !a.cancelled && a.startMs > Date.now())[index];
      const book = async (patientIndex: number, centre: number, day: number) => {
        const { schedule, start } = slot(centre, day);
        const booked = await bookAt(w, { centre, schedule, start, patientId: model.patientIds[patientIndex] });
        model.appointments.push({ id: booked.id, centre, patient: patientIndex, startMs: Date.parse(start), cancelled: false, schedule });
      };
      const cancelLive = async (index: number, reasonCode: string) => {
        const target = live(index);
        if (!target) return undefined;
        await cancel(app, w.tenant.adminToken, { appointmentId: target.id, reasonCode, idempotencyKey: key() });
        target.cancelled = true;
        return target;
      };
      for (const [index, s] of plan.entries()) {
        steps++;
        switch (s.kind) {
          case 'book':
            await book(s.patient, s.centre, s.day);
            break;
          case 'rebook': {
            const target = live(s.appointment);
            if (!target) break;
            const { start } = slot(target.centre, s.day);
            const moved = await reschedule(app, w.tenant.adminToken, { appointmentId: target.id, start, idempotencyKey: key() });
            if ((moved.data?.rescheduleAppointment as { __typename?: string } | undefined)?.__typename !== 'Appointment') throw new Error(`rebooking refused: ${JSON.stringify(moved)}`);
            target.startMs = Date.parse(start);
            break;
          }
          case 'move': {
            // Careslot keeps an appointment in its schedule: a move to another centre is a cancellation there and a booking here.
            const target = await cancelLive(s.appointment, 'MOVED');
            if (target) await book(target.patient, 1 - target.centre, s.day);
            break;
          }
          case 'cancel':
            await cancelLive(s.appointment, 'PATIENT_REQUEST');
            break;
          case 'number': {
            const number = fresh(s.to)!;
            await updatePatient(app, w.tenant.adminToken, { id: model.patientIds[s.patient], personalIdentityNumber: number });
            model.numbers[s.patient] = number;
            break;
          }
          case 'centre': {
            const hsaId = newHsaId();
            await gqlOk(app, 'mutation($input: UpdateCentreInput!) { updateCentre(input: $input) { id } }', { input: { id: w.centres[s.centre].centreId, hsaId } }, w.tenant.adminToken);
            model.hsaIds[s.centre] = hsaId;
            w.hsaIds.push(hsaId);
            break;
          }
          case 'clock':
            model.shiftDays += s.days;
            await shiftClock(app, model.shiftDays);
            await app.server.engagementIndexDispatcher.sweepPassed();
            break;
        }
        // Deliveries interleave with the changes at random points, as they would.
        if ((index + 1) % deliverEvery === 0) await delivered(w);
      }
      // A delivery planned before a clock move may land after the sweep that followed it: the next sweep catches it, as the periodic one would.
      do await delivered(w); while (await app.server.engagementIndexDispatcher.sweepPassed() > 0);
      updates += endpoint.received.filter((u) => u.answer === 'OK').length - accepted;
      expect(endpoint.rejected.map((u) => u.problems)).toEqual([]);
      expect(indexOf(w)).toEqual(expectedIndex(model));
    }), { numRuns: RUNS, endOnFailure: true });
  }, 300_000); // a hang deadline: the runs take half a minute on a quiet machine
});
