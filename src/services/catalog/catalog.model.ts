import type { ExceptionKind } from '../../entities';

/** Centres, practitioners, services, schedules and their hours as the catalog services hand them out. */
export interface Address {
  street?: string;
  postalCode?: string;
  city?: string;
  country?: string;
}

export interface CentreRow {
  id: string;
  name: string;
  /** IANA zone; the schedules' opening hours and exceptions are local times in it. */
  timeZone: string;
  hsaId: string | null;
  address: Address | null;
  offline: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface PractitionerRow {
  id: string;
  name: string;
  qualifications: string[];
  dataSharingBanned: boolean;
  createdAt: Date;
  updatedAt: Date;
}

/** A bookable service (examination); "medical" keeps it apart from the code's own services. */
export interface MedicalServiceRow {
  id: string;
  code: string;
  name: string;
  durationMinutes: number;
  requiredQualification: string | null;
  createdAt: Date;
  updatedAt: Date;
  /** Set on a mirror of a shared service: the link it was shared through. */
  linkId: string | null;
}

/** A service as offered by one schedule. */
export interface OfferedServiceRow extends MedicalServiceRow {
  scheduleId: string;
}

export interface ScheduleRow {
  id: string;
  centreId: string;
  practitionerId: string | null;
  name: string;
  slotMinutes: number;
  active: boolean;
  createdAt: Date;
  updatedAt: Date;
  /** Set on a mirror of a shared schedule: the link it was shared through. */
  linkId: string | null;
}

/** One weekly block in the centre's local time. */
export interface WeeklyHours {
  /** ISO weekday: 1 = Monday … 7 = Sunday. */
  weekday: number;
  /** "HH:MM"; an end may be "24:00" (midnight at the end of the day). */
  startTime: string;
  endTime: string;
  /** "YYYY-MM-DD", inclusive. */
  validFrom: string;
  validUntil: string | null;
}

/** A block as given: an omitted validUntil is open-ended. */
export type WeeklyHoursInput = Omit<WeeklyHours, 'validUntil'> & { validUntil?: string | null };

export interface OpeningHoursRow extends WeeklyHours {
  id: string;
  scheduleId: string;
}

export interface ScheduleExceptionRow {
  id: string;
  scheduleId: string;
  kind: ExceptionKind;
  /** "YYYY-MM-DDTHH:MM" in the centre's time zone. */
  startsLocal: string;
  endsLocal: string;
  reason: string | null;
}
