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
  status: string;
  lastContactAt: Date | null;
  lastProblem: string | null;
  savedBy: string;
  updatedAt: Date;
}
