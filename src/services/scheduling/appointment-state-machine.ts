import type { AppointmentStatus } from '../../entities';

/**
 * Which status may follow which (FHIR Appointment statuses as the reference). Rescheduling is
 * allowed while BOOKED or CONFIRMED and returns the appointment to BOOKED (the patient confirmed
 * another time). CANCELLED, FULFILLED and NO_SHOW are final.
 */
export const TRANSITIONS: Readonly<Record<AppointmentStatus, readonly AppointmentStatus[]>> = {
  BOOKED: ['CONFIRMED', 'ARRIVED', 'CANCELLED', 'NO_SHOW'],
  CONFIRMED: ['ARRIVED', 'CANCELLED', 'NO_SHOW'],
  ARRIVED: ['FULFILLED'],
  FULFILLED: [],
  CANCELLED: [],
  NO_SHOW: [],
};

export const RESCHEDULABLE: readonly AppointmentStatus[] = ['BOOKED', 'CONFIRMED'];

/** The statuses from which `to` may be reached. */
export function statusesLeadingTo(to: AppointmentStatus): AppointmentStatus[] {
  return (Object.keys(TRANSITIONS) as AppointmentStatus[]).filter((from) => TRANSITIONS[from].includes(to));
}

export function canTransition(from: AppointmentStatus, to: AppointmentStatus): boolean {
  return TRANSITIONS[from].includes(to);
}
