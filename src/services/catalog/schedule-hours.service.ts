import type { RequestContext } from '../../context/request-context';
import type { ExceptionKind } from '../../entities';
import type { EventBus } from '../../events/event-bus';
import { notFound } from '../../platform/errors';
import { ADMIN_ONLY, requireStaffRole } from '../common/access';
import { recordAudit } from '../common/audit-log.sql';
import type { ScheduleExceptionRow, ScheduleRow, WeeklyHoursInput } from './catalog.model';
import { exceptionsOfScheduleLoader, openingHoursOfScheduleLoader } from './catalog.loaders';
import { assertNoOverlappingHours, toWeeklyHours } from './opening-hours.rules';
import { publishScheduleChanged } from './schedule-events';
import { scheduleHoursRepository } from './schedule-hours.sql';
import { schedulesRepository } from './schedules.sql';

export interface NewScheduleException {
  scheduleId: string;
  kind: ExceptionKind;
  /** "YYYY-MM-DDTHH:MM" in the centre's time zone. */
  startsLocal: string;
  endsLocal: string;
  reason?: string | null;
}

/** When a schedule is open: its weekly hours and its exceptions (closures, extra hours). */
export class ScheduleHoursService {
  constructor(private readonly bus: EventBus) {}

  /** Replaces the whole weekly list at once, so readers never see half of an old and half of a new week. */
  async setOpeningHours(ctx: RequestContext, scheduleId: string, input: WeeklyHoursInput[]): Promise<ScheduleRow> {
    requireStaffRole(ctx, ADMIN_ONLY);
    const hours = toWeeklyHours(input);
    assertNoOverlappingHours(hours, 'input.hours');
    const schedule = await ctx.transaction(async (tx) => {
      const touched = await schedulesRepository.touch(tx, scheduleId);
      if (!touched) throw notFound('Schedule');
      await scheduleHoursRepository.replaceOpeningHours(tx, scheduleId, hours);
      await recordAudit(ctx, tx, { action: 'schedule.opening-hours-set', entityType: 'Schedule', entityId: scheduleId, details: { blocks: hours.length } });
      publishScheduleChanged(tx, this.bus, touched);
      return touched;
    });
    // A later mutation of the same request must read what this one wrote, not what was cached before it.
    openingHoursOfScheduleLoader(ctx).clear(scheduleId);
    return schedule;
  }

  async addException(ctx: RequestContext, input: NewScheduleException): Promise<ScheduleExceptionRow> {
    requireStaffRole(ctx, ADMIN_ONLY);
    const exception = await ctx.transaction(async (tx) => {
      const schedule = await schedulesRepository.touch(tx, input.scheduleId);
      if (!schedule) throw notFound('Schedule');
      const added = await scheduleHoursRepository.insertException(tx, schedule.id, {
        kind: input.kind, startsLocal: input.startsLocal, endsLocal: input.endsLocal, reason: input.reason ?? null,
      });
      await recordAudit(ctx, tx, {
        action: 'schedule-exception.added', entityType: 'ScheduleException', entityId: added.id,
        details: { scheduleId: schedule.id, kind: added.kind, startsLocal: added.startsLocal, endsLocal: added.endsLocal },
      });
      publishScheduleChanged(tx, this.bus, schedule);
      return added;
    });
    exceptionsOfScheduleLoader(ctx).clear(exception.scheduleId);
    return exception;
  }

  async removeException(ctx: RequestContext, exceptionId: string): Promise<ScheduleExceptionRow> {
    requireStaffRole(ctx, ADMIN_ONLY);
    const exception = await ctx.transaction(async (tx) => {
      const removed = await scheduleHoursRepository.deleteException(tx, exceptionId);
      if (!removed) throw notFound('Schedule exception');
      const schedule = (await schedulesRepository.touch(tx, removed.scheduleId))!;
      await recordAudit(ctx, tx, {
        action: 'schedule-exception.removed', entityType: 'ScheduleException', entityId: removed.id,
        details: { scheduleId: schedule.id, kind: removed.kind },
      });
      publishScheduleChanged(tx, this.bus, schedule);
      return removed;
    });
    exceptionsOfScheduleLoader(ctx).clear(exception.scheduleId);
    return exception;
  }
}
