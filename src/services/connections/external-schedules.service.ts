import { actorOf } from '../../context/principal';
import type { RequestContext } from '../../context/request-context';
import type { Tx } from '../../db/unit-of-work';
import { byteaFromJson } from '../../db/json-bytea';
import type { EventBus } from '../../events/event-bus';
import { AppError, ErrorCode } from '../../platform/errors';
import type { Logger } from '../../platform/logger';
import type { SecretBox } from '../../platform/secret-box';
import { publishAgendaChangeAfterCommit } from '../scheduling/appointment-events';
import type { AppointmentRow, BookingOutcome, BookingRequest } from '../scheduling/appointment.model';
import type { AvailabilityFilter, AvailabilityRow } from '../scheduling/availability.model';
import { bookingDoorOf } from '../scheduling/booking-door';
import type { MirrorPlanJson, UnavailableSchedule } from '../scheduling/mirror-schedules';
import { requestHash, uuidFrom } from '../scheduling/request-hash';
import { WriteThrottle } from '../common/write-throttle';
import { DuplicatePatientIdentity } from '../scheduling/scheduling-errors';
import { sharedSchedulesRepository } from '../sharing/shared-schedules.sql';
import type { ConnectionProblem } from './connection-problems';
import type { ExternalConnectionRow } from './connections.model';
import type { ExternalScheduleConnector, ExternalSlot, SavedFields } from './connectors/connector';
import { externalSchedulesRepository } from './external-schedules.sql';

type ExternalSystem = ExternalConnectionRow['system'];

/** A connection's health is written again at most this often while it stays the same (last contact included). */
const REFRESH_MS = 30_000;

/** What the booking statement read of an external schedule (row_to_json: the sealed key as bytea text). */
interface ExternalPlan extends Omit<ExternalConnectionRow, 'apiKeyCiphertext'> {
  scheduleId: string;
  apiKeyCiphertext: string | null;
  patient: { id: string; familyName: string; givenName: string; phone: string | null; personalIdentityNumber: string | null } | null;
}

/**
 * External schedules (seed 004): a centre connected to a FHIR R4 server or a SMART Scheduling Links
 * publisher has one schedule standing for that system's agenda. Its availability is asked of the
 * system (free and occupied, no detail); a booking goes to the system first, idempotent by our
 * reference, and is recorded here only after the system confirmed it, as a share booking is. A
 * read-only publisher answers with the slot's deep link. Every call's outcome is the connection's health.
 */
export class ExternalSchedulesService {
  private readonly connectors: Map<ExternalSystem, ExternalScheduleConnector>;
  /** What this instance last wrote of each connection's health. */
  private readonly written = new WriteThrottle(REFRESH_MS);

  constructor(
    connectors: ExternalScheduleConnector[],
    private readonly secrets: SecretBox,
    private readonly bus: EventBus,
    private readonly logger: Logger,
    /** How long a retry with the same key may still record an unconfirmed booking before it is withdrawn there. */
    private readonly unconfirmedGraceSeconds: number,
  ) {
    this.connectors = new Map(connectors.map((connector) => [connector.code as ExternalSystem, connector]));
  }

  async availability(ctx: RequestContext, rows: AvailabilityRow[], filter: AvailabilityFilter): Promise<{ schedules: AvailabilityRow[]; unavailable: UnavailableSchedule[] }> {
    // The availability statement read each one's connection (its sealed key as bytea text).
    const connections = rows.filter((row) => row.connection).map((row) => {
      const connection = row.connection as unknown as Omit<ExternalConnectionRow, 'apiKeyCiphertext'> & { apiKeyCiphertext: string | null };
      return { ...connection, scheduleId: row.scheduleId, apiKeyCiphertext: connection.apiKeyCiphertext ? byteaFromJson(connection.apiKeyCiphertext) : null };
    });
    const answers = await Promise.all(connections.map(async (connection) => {
      const answer = await this.connectorOf(connection).slots(this.fieldsOf(connection), filter.from, filter.to);
      this.report(ctx, connection.centreId, answer.ok ? null : answer.problem);
      if (!answer.ok) {
        this.logger.warn({ centreId: connection.centreId, system: connection.system, problem: answer.problem.code }, 'external availability unavailable');
        return { unavailable: { scheduleId: connection.scheduleId, linkId: null, source: connection.system, status: statusOf(answer.problem), problem: answer.problem.message } };
      }
      return { schedule: availabilityOf(connection.scheduleId, connection.system, answer.slots, filter.includeSlots) };
    }));
    return {
      schedules: answers.flatMap((answer) => (answer.schedule ? [answer.schedule] : [])),
      unavailable: answers.flatMap((answer) => (answer.unavailable ? [answer.unavailable] : [])),
    };
  }

  /**
   * A booking in an external schedule: the system books first (our reference, derived from the
   * idempotency key, makes a retry find the same booking there), then one statement records it
   * here. An answer that never came, or a record that cannot be written, queues its withdrawal.
   */
  async book(ctx: RequestContext, request: BookingRequest, planJson: MirrorPlanJson): Promise<BookingOutcome> {
    const plan = planJson as unknown as ExternalPlan;
    const patient = request.newPatient ?? plan.patient;
    if (!patient) return { kind: 'PATIENT_NOT_FOUND' };
    const connection = { ...plan, apiKeyCiphertext: plan.apiKeyCiphertext ? byteaFromJson(plan.apiKeyCiphertext) : null };
    const reference = uuidFrom(`${ctx.tenantId}:${request.idempotencyKey}`);
    const withdraw = () => ctx.transaction((tx) => externalSchedulesRepository.enqueueUnconfirmedWithdrawal(tx, plan.centreId, reference, this.unconfirmedGraceSeconds));
    const answer = await this.connectorOf(connection).book(this.fieldsOf(connection), {
      start: request.start, reference, note: request.note ?? null,
      patient: { familyName: patient.familyName, givenName: patient.givenName, phone: patient.phone ?? null, personalIdentityNumber: patient.personalIdentityNumber ?? null },
    });
    this.report(ctx, plan.centreId, answer.kind === 'PROBLEM' ? answer.problem : null);
    if (answer.kind === 'PROBLEM') {
      if (answer.ambiguous) await withdraw();
      throw new AppError(ErrorCode.REMOTE_UNAVAILABLE, 'The booking system could not confirm the booking; nothing was booked', { problem: answer.problem.code });
    }
    if (answer.kind !== 'BOOKED') return answer;

    const door = bookingDoorOf(ctx.caller, request.partnerId);
    try {
      const appointment = await ctx.singleStatement(async (tx) => {
        const row = await sharedSchedulesRepository.recordConfirmedTwin(tx, {
          id: reference, scheduleId: request.scheduleId, serviceId: request.serviceId, patientId: plan.patient?.id ?? null, newPatient: request.newPatient ?? null,
          startsAt: answer.start, endsAt: answer.end, note: request.note ?? null, remoteAppointmentId: null, externalAppointmentRef: answer.ref,
          idempotencyKey: request.idempotencyKey, requestHash: requestHash('bookAppointment', { ...request, idempotencyKey: undefined }), centreId: plan.centreId,
          door: { origin: door.origin, partnerId: door.kind === 'PARTNER' ? door.partnerId : null },
        }, actorOf(ctx.caller), {
          entry: { action: 'external-booking.confirmed', entityType: 'Appointment', entityId: reference, details: { system: plan.system, externalRef: answer.ref } },
          requestId: ctx.requestId,
        });
        if (row) publishAgendaChangeAfterCommit(tx, this.bus, row, 'CREATED');
        return row;
      });
      if (!appointment) throw new DuplicatePatientIdentity('input.newPatient.personalIdentityNumber');
      return { kind: 'BOOKED', appointment };
    } catch (error) {
      await withdraw();
      throw error;
    }
  }

  /** In the cancelling transaction: a booking made in an external system is cancelled there through the durable job queue. */
  async onCancelled(tx: Tx, appointment: AppointmentRow): Promise<void> {
    await externalSchedulesRepository.enqueueCancellation(tx, appointment.id);
  }

  /** The job's work: cancel our booking there, unless (a withdrawal) it was recorded here after all. Throws to be retried. */
  async cancelThere(tx: Tx, job: { centreId: string; reference: string; unlessRecorded?: boolean }): Promise<(() => Promise<void>) | undefined> {
    if (job.unlessRecorded && await sharedSchedulesRepository.isRecorded(tx, job.reference)) return undefined;
    const connection = await externalSchedulesRepository.connectionOfCentre(tx, job.centreId);
    if (!connection) return undefined;
    return async () => {
      const outcome = await this.connectorOf(connection).cancel(this.fieldsOf(connection), job.reference);
      if (!outcome.ok) throw new Error(`the booking system did not cancel: ${outcome.problem.code}`);
    };
  }

  private connectorOf(connection: { system: ExternalSystem }): ExternalScheduleConnector {
    return this.connectors.get(connection.system)!;
  }

  private fieldsOf(connection: Omit<ExternalConnectionRow, 'centreId'>): SavedFields {
    return {
      externalId: connection.externalId, externalDepartmentId: connection.externalDepartmentId ?? undefined, bookingUrl: connection.bookingUrl,
      apiKey: connection.apiKeyCiphertext ? this.secrets.open(connection.apiKeyCiphertext) : undefined,
    };
  }

  /**
   * Health from real traffic; never fails the call it observes. Steady traffic writes it again at
   * most every REFRESH_MS per instance (a change of status or problem at once).
   */
  private report(ctx: RequestContext, centreId: string, problem: ConnectionProblem | null): void {
    const status = problem ? statusOf(problem) : 'OK';
    const message = problem?.message ?? null;
    const key = `${ctx.tenantId}:${centreId}`;
    if (!this.written.due(key, `${status}:${message ?? ''}`)) return;
    ctx.transaction((tx) => externalSchedulesRepository.recordContact(tx, centreId, status, message)).catch((error: unknown) => {
      this.written.forget(key);
      this.logger.warn({ centreId, err: String(error) }, 'could not record connection health');
    });
  }
}

/** A refused key or an unknown id is the connection's fault (REJECTED); anything else, the way there (UNREACHABLE). */
function statusOf(problem: ConnectionProblem): 'REJECTED' | 'UNREACHABLE' {
  return problem.code === 'KEY_REFUSED' || problem.code === 'UNKNOWN_EXTERNAL_ID' ? 'REJECTED' : 'UNREACHABLE';
}

/** The system's slots as an availability row: free and occupied time merged, and the slots when asked for (FREE ones with their deep link). */
function availabilityOf(scheduleId: string, system: ExternalSystem, slots: ExternalSlot[], includeSlots: boolean): AvailabilityRow {
  const sorted = [...slots].sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
  return {
    scheduleId, linkId: null, external: true, source: system,
    free: merged(sorted.filter((slot) => slot.free)),
    occupied: merged(sorted.filter((slot) => !slot.free)),
    slots: includeSlots ? sorted.map((slot) => [slot.start, slot.end, slot.free ? 'FREE' : 'OCCUPIED', null, null, slot.free ? slot.bookingLink : null]) : null,
  };
}

/** Touching or overlapping intervals (sorted by start) as one. */
function merged(slots: ExternalSlot[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const slot of slots) {
    const last = out.at(-1);
    if (last && Date.parse(slot.start) <= Date.parse(last[1])) {
      if (Date.parse(slot.end) > Date.parse(last[1])) last[1] = slot.end;
    } else {
      out.push([slot.start, slot.end]);
    }
  }
  return out;
}
