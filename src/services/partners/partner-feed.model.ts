/** Why something a partner held is no longer shared (the feed's tombstones). */
export type RemovalReason = 'CONSENT_CHANGED' | 'PRACTITIONER_BANNED' | 'ANONYMOUS' | 'OUTSIDE_WINDOW' | 'GONE' | 'ACCESS_CLOSED';

/** The state of a partner's access to the tenant's patient and appointment data (seed 002). */
export type DataAccessState = 'CLOSED' | 'PENDING' | 'OPEN';

export interface DataAccessRow {
  partnerId: string;
  openedAt: Date | null;
  openedBy: string | null;
  closedAt: Date | null;
  closedBy: string | null;
  epoch: number;
  /** When data starts to flow: 24 hours after the opening (null while closed). */
  beginsAt: Date | null;
  state: DataAccessState;
}

/**
 * A position in the feed: the last (transaction, id) passed, the access epoch it belongs to, and,
 * while a full pass runs, the horizon the pass began at.
 */
export interface FeedPosition {
  epoch: number;
  xid: string;
  id: string;
  fullFrom: string | null;
}

/** One changed row as the feed page reads it. */
export interface FeedRow {
  kind: 'APPOINTMENT' | 'PATIENT';
  xid: string;
  id: string;
  removedBecause: RemovalReason | null;
  startsAt: Date | null;
  endsAt: Date | null;
  status: string | null;
  centreId: string | null;
  serviceId: string | null;
  practitionerName: string | null;
  patientId: string | null;
  familyName: string | null;
  givenName: string | null;
  patronymic: string | null;
  phone: string | null;
}

export interface SharedPatient {
  id: string;
  familyName: string;
  givenName: string;
  patronymic: string | null;
  phone: string | null;
}

export interface SharedAppointment {
  id: string;
  start: Date;
  end: Date;
  status: string;
  centreId: string;
  serviceId: string;
  practitionerName: string | null;
  patient: SharedPatient;
}

/** UPSERT: hold this (as it is now); REMOVE: forget this appointment or patient. */
export type FeedChange =
  | { kind: 'UPSERT'; appointment: SharedAppointment; cursor: string }
  | { kind: 'REMOVE'; entity: 'APPOINTMENT' | 'PATIENT'; id: string; patientId: string | null; reason: RemovalReason; cursor: string };

export interface FeedPage {
  access: DataAccessRow;
  changes: FeedChange[];
  /** Where to go on from; null while access is not open. */
  cursor: string | null;
  /** More changes are waiting: ask again at once. */
  hasMore: boolean;
  /** The cursor given was from an earlier opening (or unreadable for this partner): forget everything, this page starts over. */
  reset: boolean;
}

/** One audited partner-data event: a read (which appointments and patients), an opening, a closing. */
export interface AccessLogRow {
  id: string;
  occurredAt: Date;
  action: string;
  actorKind: string;
  actorId: string | null;
  details: { credentialIds?: string[]; appointmentIds?: string[]; patientIds?: string[] };
}
