import type { Tx } from '../../db/unit-of-work';
import type { EventBus } from '../../events/event-bus';
import { AGENDA_TOPIC, type AgendaEvent, type AgendaEventKind, type AppointmentRow } from './appointment.model';

/** Publishes after COMMIT (never NOTIFY inside the transaction: it serialises commits). */
export function publishAgendaChangeAfterCommit(tx: Tx, bus: EventBus, appointment: AppointmentRow, kind: AgendaEventKind): void {
  const event: AgendaEvent = { tenantId: tx.tenantId, centreId: appointment.centreId, appointmentId: appointment.id, kind };
  tx.afterCommit(() => void bus.publish(AGENDA_TOPIC, event).catch(() => undefined));
}
