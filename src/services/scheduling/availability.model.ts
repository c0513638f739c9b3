/** What availability is asked for, and what it answers per schedule. */
export interface AvailabilityFilter {
  centreId: string;
  from: Date;
  to: Date;
  serviceId?: string;
  practitionerId?: string;
  qualification?: string;
  includeSlots: boolean;
  /** Only these schedules (a share's); by default every schedule of the centre. */
  scheduleIds?: readonly string[];
  /** Only what this partner's open traffic channels let it book (then serviceId is required). */
  partnerId?: string;
  /** Held slots as HELD with their expiry (the clinic's own staff); otherwise they are OCCUPIED. */
  showHolds?: boolean;
}

/** ISO instants in UTC, as PostgreSQL formats them: no Date objects on this hot path. */
export type Instant = string;
export type SlotState = 'FREE' | 'OCCUPIED' | 'HELD';

export interface AvailabilityRow {
  scheduleId: string;
  /** Merged free time inside opening hours and the window: [start, end) pairs. */
  free: Array<[Instant, Instant]>;
  /** Merged booked time inside opening hours and the window. */
  occupied: Array<[Instant, Instant]>;
  /**
   * Grid slots [start, end, state, held until and held through a share (HELD only), the booking
   * system's deep link (SMART Scheduling Links)] when asked for, else null.
   */
  slots: Array<[Instant, Instant, SlotState, (Instant | null)?, (boolean | null)?, (string | null)?]> | null;
  /** Set for a client's mirror of a shared schedule: its agenda must be asked of the sharing server. */
  linkId: string | null;
  /** An external schedule: its agenda must be asked of the centre's connected booking system. */
  external: boolean;
  /** An external schedule's connection as JSON (the key still sealed): read only by the side that calls that system. */
  connection?: Readonly<Record<string, unknown>> | null;
  /** Where the agenda came from, when not from this server's own schedules: the booking system's code (CARESLOT for a share). */
  source?: RemoteSource;
}

/** The booking systems a remote schedule's agenda comes from. */
export type RemoteSource = 'CARESLOT' | 'FHIR_R4' | 'SMART_SCHEDULING_LINKS';
