import type { Tx } from '../../db/unit-of-work';
import type { EventBus } from '../../events/event-bus';
import { publishAgendaEventAfterCommit, type AgendaEventKind } from '../common/agenda-topic';
import type { AppointmentRow } from './appointment.model';

/**
 * An appointment's change, with where occupancy changed: its time, and for a move also the time
 * it left (the span from the earlier start to the later end).
 */
export function publishAgendaChangeAfterCommit(
  tx: Tx, bus: EventBus, appointment: AppointmentRow, kind: AgendaEventKind, movedFrom?: { startsAt: Date; endsAt: Date },
): void {
  const start = movedFrom && movedFrom.startsAt < appointment.startsAt ? movedFrom.startsAt : appointment.startsAt;
  const end = movedFrom && movedFrom.endsAt > appointment.endsAt ? movedFrom.endsAt : appointment.endsAt;
  publishAgendaEventAfterCommit(tx, bus, {
    centreId: appointment.centreId, scheduleId: appointment.scheduleId, appointmentId: appointment.id, kind, start: instant(start), end: instant(end),
  });
}

export const instant = (date: Date): string => date.toISOString().replace('.000Z', 'Z');
