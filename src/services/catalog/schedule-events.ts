import type { Tx } from '../../db/unit-of-work';
import type { EventBus } from '../../events/event-bus';

/** The agenda topic that booking publishes on too; subscribers re-read the agenda under their own rights. */
export const AGENDA_CHANGED_TOPIC = 'agenda.changed';

export interface ScheduleChangedEvent {
  tenantId: string;
  centreId: string;
  scheduleId: string;
  kind: 'SCHEDULE_CHANGED';
}

/** After COMMIT only: a NOTIFY inside the transaction would serialise commits, and a rollback must publish nothing. */
export function publishScheduleChanged(tx: Tx, bus: EventBus, schedule: { centreId: string; id: string }): void {
  const event: ScheduleChangedEvent = { tenantId: tx.tenantId, centreId: schedule.centreId, scheduleId: schedule.id, kind: 'SCHEDULE_CHANGED' };
  // A lost event only delays a subscriber's refresh; it must never become an unhandled rejection.
  tx.afterCommit(() => void bus.publish(AGENDA_CHANGED_TOPIC, event).catch(() => undefined));
}
