import type { RequestContext } from '../../context/request-context';
import { badInput, notFound } from '../../platform/errors';
import { STAFF_READERS, requireStaffRole } from '../common/access';
import { actingPartnerOf } from '../common/acting-partner';
import { centresRepository } from '../catalog/centres.sql';
import { queryAvailability } from './availability.sql';
import type { AvailabilityFilter, AvailabilityRow } from './availability.model';
import type { MirrorAvailability, UnavailableSchedule } from './mirror-schedules';

const DAY_MS = 86_400_000;

export interface CentreAvailability {
  centreId: string;
  from: Date;
  to: Date;
  schedules: AvailabilityRow[];
  unavailable: UnavailableSchedule[];
}

export class AvailabilityService {
  /** `mirrors` answers for remote schedules: mirrors (their sharing servers decide) and external schedules (their booking systems do). */
  constructor(private readonly maxDays: number, private readonly mirrors: MirrorAvailability) {}

  /** One statement whatever the number of schedules and slots; an unknown centre (or another tenant's) is NOT_FOUND. */
  async availability(ctx: RequestContext, filter: AvailabilityFilter): Promise<CentreAvailability> {
    requireStaffRole(ctx, STAFF_READERS);
    return this.read(ctx, { ...filter, showHolds: true });
  }

  /**
   * The green slots of one service for a partner (seed 001): the same statement, limited to the
   * partner's open channels (an offline centre, an inactive partner or a service not activated
   * leaves no schedule). Anything else of the agenda shows only as OCCUPIED time.
   */
  async partnerAvailability(ctx: RequestContext, partnerId: string | undefined, filter: AvailabilityFilter & { serviceId: string }): Promise<CentreAvailability> {
    const acting = actingPartnerOf(ctx.caller, partnerId);
    return this.read(ctx, { ...filter, partnerId: acting.partnerId });
  }

  private async read(ctx: RequestContext, filter: AvailabilityFilter): Promise<CentreAvailability> {
    this.checkWindow(filter.from, filter.to);
    const schedules = await ctx.singleStatement((tx) => queryAvailability(tx, filter));
    // No rows: a centre without schedules, or no centre of this tenant at all.
    if (schedules.length === 0 && !(await ctx.singleStatement((tx) => centresRepository.exists(tx, filter.centreId)))) throw notFound('Centre');
    const isRemote = (row: AvailabilityRow) => row.linkId !== null || row.external;
    const remote = schedules.filter(isRemote);
    if (remote.length === 0) return { centreId: filter.centreId, from: filter.from, to: filter.to, schedules, unavailable: [] };
    const answered = await this.mirrors.availability(ctx, remote, filter);
    return {
      centreId: filter.centreId, from: filter.from, to: filter.to,
      schedules: [...schedules.filter((row) => !isRemote(row)), ...answered.schedules], unavailable: answered.unavailable,
    };
  }

  private checkWindow(from: Date, to: Date): void {
    if (to.getTime() <= from.getTime()) throw badInput([{ field: 'to', problems: ['must be after from'] }]);
    if (to.getTime() - from.getTime() > this.maxDays * DAY_MS) {
      throw badInput([{ field: 'to', problems: [`the window may span at most ${this.maxDays} days`] }]);
    }
  }
}
