import type { RequestContext } from '../../context/request-context';
import { rowsById, rowsByParent } from '../common/loaders';
import { appointmentsRepository } from './appointments.sql';

const APPOINTMENTS = Symbol('appointments');
const APPOINTMENT_CHANGES = Symbol('appointment-changes');

export const appointmentLoader = (ctx: RequestContext) => rowsById(ctx, APPOINTMENTS, appointmentsRepository.findByIds);
export const appointmentChangesLoader = (ctx: RequestContext) =>
  rowsByParent(ctx, APPOINTMENT_CHANGES, appointmentsRepository.changesOf, (change) => change.appointmentId);
