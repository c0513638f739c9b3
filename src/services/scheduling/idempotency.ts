import type { RequestContext } from '../../context/request-context';
import { conflict, notFound } from '../../platform/errors';
import type { AppointmentRow } from './appointment.model';
import { appointmentLoader } from './appointment-loaders';

/** The change an idempotency key was first used for: its appointment and a hash of its request. */
export interface PriorChange {
  appointmentId: string;
  requestHash: string;
}

export const idempotencyConflict = () =>
  conflict('This idempotency key was already used with different input', { field: 'input.idempotencyKey' });

/** A repeated request: the same input gets the first answer (as the appointment is now), other input a CONFLICT. */
export async function replayPriorChange(ctx: RequestContext, prior: PriorChange, requestHash: string): Promise<AppointmentRow> {
  if (prior.requestHash !== requestHash) throw idempotencyConflict();
  const appointment = await appointmentLoader(ctx).load(prior.appointmentId);
  if (!appointment) throw notFound('Appointment');
  return appointment;
}
