import type { BookingSystemCode } from './booking-systems';

/** A centre's saved connection as it may be shown: the API key only by its last four characters. */
export interface ConnectionRow {
  centreId: string;
  system: BookingSystemCode;
  externalId: string | null;
  externalDepartmentId: string | null;
  bookingUrl: string | null;
  apiKeyLast4: string | null;
  linkId: string | null;
  remoteName: string | null;
  /** The centre's external schedule (FHIR R4, SMART Scheduling Links). */
  scheduleId: string | null;
  status: string;
  lastContactAt: Date | null;
  lastProblem: string | null;
  savedBy: string;
  updatedAt: Date;
}

/** What calling a centre's external booking system needs; the API key still sealed. */
export interface ExternalConnectionRow {
  centreId: string;
  system: Exclude<BookingSystemCode, 'CARESLOT'>;
  externalId: string;
  externalDepartmentId: string | null;
  bookingUrl: string;
  apiKeyCiphertext: Buffer | null;
}
