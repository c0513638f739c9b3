import type { AppointmentOrigin, AppointmentStatus } from '../../entities';
import type { NewPatient } from './patient.model';

export interface AppointmentRow {
  id: string;
  centreId: string;
  scheduleId: string;
  serviceId: string;
  patientId: string | null;
  startsAt: Date;
  endsAt: Date;
  /** HELD only on a hold's row (reads of appointments leave holds out). */
  status: AppointmentStatus | 'HELD';
  origin: AppointmentOrigin;
  anonymous: boolean;
  note: string | null;
  cancellationCode: string | null;
  cancellationText: string | null;
  shareId: string | null;
  clientReference: string | null;
  clientCentreName: string | null;
  remoteAppointmentId: string | null;
  /** A booking in an external schedule: its reference in that booking system. */
  externalAppointmentRef: string | null;
  /** The partner a partner booking was made for. */
  partnerId: string | null;
  /** Set only on a hold (status HELD, never shown as an appointment): when it stops holding its time. */
  holdExpiresAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface AppointmentChangeRow {
  id: string;
  appointmentId: string;
  occurredAt: Date;
  action: string;
  actorKind: string;
  actorId: string | null;
  fromStatus: AppointmentStatus | null;
  toStatus: AppointmentStatus;
  startsAt: Date;
  endsAt: Date;
}

export interface BookingRequest {
  scheduleId: string;
  serviceId: string;
  start: Date;
  patientId?: string;
  newPatient?: NewPatient;
  idempotencyKey: string;
  note?: string;
  anonymous?: boolean;
  /** Books for this partner (seed 001): the caller must be able to act for it, and the partner's channels decide. */
  partnerId?: string;
  /** Places a hold of this many seconds instead of booking (no patient; see holds.service). */
  holdSeconds?: number;
  /** Sharing side of a schedule share: the twin of a client centre's booking (the share is the caller's). */
  twin?: { clientReference: string; clientCentreName: string };
  /** Client side: the twin's id on the sharing server, known before the local record is written. */
  remoteAppointmentId?: string;
  /**
   * An audit record that commits with the booking (in its one statement), about the new
   * appointment; the statement adds its scheduleId, serviceId and patientId to the details, and
   * patientCreated (whether it created the patient).
   * Not part of what the idempotency key fingerprints.
   */
  audit?: { action: string; details: Record<string, unknown> };
}

/** What a client asks to book: a slot (schedule, service, start), or a hold of its own. */
export interface BookInput extends Omit<BookingRequest, 'scheduleId' | 'serviceId' | 'start' | 'holdSeconds' | 'twin' | 'remoteAppointmentId' | 'audit'> {
  holdId?: string;
  scheduleId?: string;
  serviceId?: string;
  start?: Date;
}

/** Expected reasons a time cannot be booked: answered as typed results, not errors. */
export type SlotProblem = 'SLOT_UNAVAILABLE' | 'OUTSIDE_OPENING_HOURS' | 'OFF_SLOT_GRID' | 'IN_THE_PAST' | 'SERVICE_NOT_OFFERED' | 'PATIENT_NOT_FOUND' | 'NOT_BOOKABLE_THROUGH_SHARE';

/** A partner door's refusals, as typed results (seed 001). */
export type PartnerRefusal = 'SERVICE_NOT_ACTIVATED_FOR_PARTNER' | 'CENTRE_OFFLINE';

/** A hold that no longer holds (expired, released, booked) or is not the caller's: booking on it is refused. */
export type HoldRefusal = 'HOLD_EXPIRED';

export const isPartnerRefusal = (kind: string): kind is PartnerRefusal => kind === 'SERVICE_NOT_ACTIVATED_FOR_PARTNER' || kind === 'CENTRE_OFFLINE';

/** A slot of a read-only booking system (SMART Scheduling Links): the patient books it at the publisher's link. */
export interface BookAtLink {
  kind: 'BOOK_AT_LINK';
  bookingLink: string;
}

export type BookingOutcome<Refusal = SlotProblem | PartnerRefusal> =
  | { kind: 'BOOKED'; appointment: AppointmentRow }
  | BookAtLink
  | { kind: Refusal };

/** A hold placed (as its row, status HELD), a booking on a hold, or why not. */
export type HoldOutcome = BookingOutcome<SlotProblem | PartnerRefusal | HoldRefusal>;

export interface AppointmentFilter {
  centreId?: string;
  scheduleId?: string;
  patientId?: string;
  from?: Date;
  to?: Date;
  statuses?: AppointmentStatus[];
  origins?: AppointmentOrigin[];
  partnerIds?: string[];
}
