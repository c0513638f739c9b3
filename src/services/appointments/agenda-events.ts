import type { Tx } from '../../db/unit-of-work';
import type { EventBus } from '../../events/event-bus';
import { publishAgendaEventAfterCommit, type AgendaEventKind } from '../agenda-events';
import type { AppointmentRow } from './appointment.model';

export function publishAgendaChangeAfterCommit(tx: Tx, bus: EventBus, appointment: AppointmentRow, kind: AgendaEventKind): void {
  publishAgendaEventAfterCommit(tx, bus, { centreId: appointment.centreId, scheduleId: appointment.scheduleId, appointmentId: appointment.id, kind });
}
