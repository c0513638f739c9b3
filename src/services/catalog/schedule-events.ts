import type { Tx } from '../../db/unit-of-work';
import type { EventBus } from '../../events/event-bus';
import { publishAgendaEventAfterCommit } from '../common/agenda-topic';

/** A schedule's configuration changed: agenda subscribers of its centre re-read what they show. */
export function publishScheduleChanged(tx: Tx, bus: EventBus, schedule: { centreId: string; id: string }): void {
  publishAgendaEventAfterCommit(tx, bus, { centreId: schedule.centreId, scheduleId: schedule.id, kind: 'SCHEDULE_CHANGED' });
}
