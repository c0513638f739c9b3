/** An instant on the wire: ISO 8601 with its offset. */
export type Instant = string;
export type SlotState = 'FREE' | 'OCCUPIED';
/** Why a booking or a move was not made: the same words a client centre's own agenda uses. */
export type SlotProblem = 'SLOT_UNAVAILABLE' | 'OUTSIDE_OPENING_HOURS' | 'OFF_SLOT_GRID' | 'IN_THE_PAST' | 'SERVICE_NOT_OFFERED' | 'PATIENT_NOT_FOUND' | 'NOT_BOOKABLE_THROUGH_SHARE';

/** A weekly bookable window of a share, in the sharing centre's local time (weekday 1 = Monday). */
export interface WeeklyWindow {
  weekday: number;
  startTime: string;
  endTime: string;
}

/**
 * What careslot servers say to each other about a share. The sharing server
 * answers these over GraphQL (HTTP and graphql-ws) to a peer principal authenticated by the share
 * link token; an in-process client answers the same for links within one server.
 */
export interface ShareRestrictions {
  /** Empty: every service the shared schedules offer. */
  allowedServiceIds: string[];
  earliestDaysAhead: number;
  latestDaysAhead: number;
  /** Empty: any time the schedules are open. Local time of the sharing centre. */
  weeklyWindows: WeeklyWindow[];
  dailyQuota: number | null;
}

export interface PeerSharedService {
  id: string;
  code: string;
  name: string;
  durationMinutes: number;
}

export interface PeerSharedSchedule {
  id: string;
  name: string;
  slotMinutes: number;
  services: PeerSharedService[];
}

export interface PeerShareInfo {
  shareId: string;
  centreId: string;
  centreName: string;
  timeZone: string;
  schedules: PeerSharedSchedule[];
  restrictions: ShareRestrictions;
}

export interface PeerAvailabilityRequest {
  from: Date;
  to: Date;
  serviceId?: string;
  includeSlots: boolean;
}

/** Free time (restrictions applied) and occupied time without any detail. */
export interface PeerScheduleAvailability {
  scheduleId: string;
  free: Array<[Instant, Instant]>;
  occupied: Array<[Instant, Instant]>;
  slots: Array<[Instant, Instant, SlotState]> | null;
}

export interface PeerPatient {
  familyName: string;
  givenName: string;
  patronymic?: string | null;
  phone?: string | null;
  personalIdentityNumber?: string | null;
}

/** Holds a slot for the client centre (seed 001's "Start the reservation"): the share's rules as for a booking, no patient yet. */
export interface PeerHoldRequest {
  scheduleId: string;
  serviceId: string;
  start: Date;
  idempotencyKey: string;
  /** The client's own id (of the appointment, or of the hold, which the appointment keeps): the twin's handle on both sides. */
  clientReference: string;
  clientCentreName: string;
}

/** A booking of the client centre's: of a slot, or on a hold of its own (holdId). */
export interface PeerBookRequest extends PeerHoldRequest {
  patient: PeerPatient;
  /** The booking note, for the sharing centre that performs the visit. */
  note?: string | null;
  /** Books on this hold of the caller's (peerHold's holdId): its schedule, service and start are the hold's. */
  holdId?: string;
}

export type PeerHoldOutcome =
  | { kind: 'HELD'; holdId: string; start: Instant; end: Instant; expiresAt: Instant }
  | { kind: SlotProblem }
  /** The same key again, once the hold it placed no longer holds. */
  | { kind: 'HOLD_EXPIRED' }
  | { kind: 'SHARE_REFUSED'; reason: ShareRefusal };

/** Why the share's rules refuse a time the schedule itself would accept. */
export type ShareRefusal = 'SERVICE_NOT_SHARED' | 'OUTSIDE_SHARED_HOURS' | 'OUTSIDE_HORIZON' | 'DAILY_QUOTA_REACHED' | 'CENTRE_OFFLINE';

export type PeerBookOutcome =
  | { kind: 'BOOKED'; appointmentId: string; start: Instant; end: Instant }
  | { kind: SlotProblem }
  /** Only for a booking on a hold: the hold no longer holds its slot. */
  | { kind: 'HOLD_EXPIRED' }
  | { kind: 'SHARE_REFUSED'; reason: ShareRefusal };

/** Moves the twin with this client reference; decided by the sharing server under the share's rules. */
export interface PeerRescheduleRequest {
  clientReference: string;
  start: Date;
  idempotencyKey: string;
}

export type PeerRescheduleOutcome =
  | { kind: 'MOVED'; appointmentId: string; start: Instant; end: Instant }
  | { kind: SlotProblem }
  | { kind: 'SHARE_REFUSED'; reason: ShareRefusal };

/** A twin as the sharing side holds it: what a client reconciles its records with after a gap. */
export interface PeerTwin {
  clientReference: string;
  start: Instant;
  end: Instant;
  status: string;
}

export interface PeerCancelRequest {
  clientReference: string;
  idempotencyKey: string;
  reasonText?: string;
}

export interface PeerCancelOutcome {
  /** NOT_FOUND when the sharing side has no such twin (never booked, already deleted, a hold released or expired). */
  status: 'CANCELLED' | 'NOT_FOUND';
  appointmentId: string | null;
}

/** LIVE opens every stream: from it on, every change is delivered (what came before, the client re-reads). */
export type PeerOccupancyKind = 'LIVE' | 'CREATED' | 'CHANGED' | 'CANCELLED' | 'SCHEDULE_CHANGED';

/** The agenda changes a sharing server passes on to peers. */
export const PEER_OCCUPANCY_KINDS: readonly PeerOccupancyKind[] = ['CREATED', 'CHANGED', 'CANCELLED', 'SCHEDULE_CHANGED'];

/**
 * Occupancy changed in a shared schedule. clientReference only for this client's own twins; start
 * and end: where occupancy changed (for a move, from the time it left to the time it took), so the
 * client re-reads only there.
 */
export interface PeerOccupancyEvent {
  /** Null only for LIVE. */
  scheduleId: string | null;
  kind: PeerOccupancyKind;
  clientReference: string | null;
  start: Instant | null;
  end: Instant | null;
}

/** The operations a peer principal may perform: implemented by the sharing side's PeerService. */
export interface PeerOperations<Ctx> {
  share(ctx: Ctx): Promise<PeerShareInfo>;
  availability(ctx: Ctx, request: PeerAvailabilityRequest): Promise<PeerScheduleAvailability[]>;
  hold(ctx: Ctx, request: PeerHoldRequest): Promise<PeerHoldOutcome>;
  book(ctx: Ctx, request: PeerBookRequest): Promise<PeerBookOutcome>;
  reschedule(ctx: Ctx, request: PeerRescheduleRequest): Promise<PeerRescheduleOutcome>;
  cancel(ctx: Ctx, request: PeerCancelRequest): Promise<PeerCancelOutcome>;
  /** The caller's twins starting from `from` on (any status), or the one with this client reference. */
  twins(ctx: Ctx, from: Date, clientReference?: string): Promise<PeerTwin[]>;
  watch(ctx: Ctx): Promise<AsyncIterableIterator<PeerOccupancyEvent>>;
}
