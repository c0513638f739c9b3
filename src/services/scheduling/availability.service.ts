import type { RequestContext } from '../../context/request-context';
import type { ShareLinkStatus } from '../../entities';
import { badInput, notFound } from '../../platform/errors';
import { STAFF_READERS, requireStaffRole } from '../common/access';
import { centresRepository } from '../catalog/centres.sql';
import { queryAvailability, type AvailabilityFilter, type AvailabilityRow } from './availability.sql';

const DAY_MS = 86_400_000;

/** A shared schedule whose sharing server did not answer: named, with why, instead of left out. */
export interface UnavailableSchedule {
  scheduleId: string;
  linkId: string;
  status: ShareLinkStatus;
  problem: string;
}

export interface CentreAvailability {
  centreId: string;
  from: Date;
  to: Date;
  schedules: AvailabilityRow[];
  unavailable: UnavailableSchedule[];
}

/** The agenda of mirror schedules, from their sharing servers (client side of a share). */
export interface RemoteAvailability {
  availability(ctx: RequestContext, mirrors: AvailabilityRow[], filter: AvailabilityFilter): Promise<{ schedules: AvailabilityRow[]; unavailable: UnavailableSchedule[] }>;
}

export class AvailabilityService {
  private remote?: RemoteAvailability;

  constructor(private readonly maxDays: number) {}

  askRemotesWith(remote: RemoteAvailability): void {
    this.remote = remote;
  }

  /** One statement whatever the number of schedules and slots; an unknown centre (or another tenant's) is NOT_FOUND. */
  async availability(ctx: RequestContext, filter: AvailabilityFilter): Promise<CentreAvailability> {
    requireStaffRole(ctx, STAFF_READERS);
    this.checkWindow(filter.from, filter.to);
    const schedules = await ctx.singleStatement((tx) => queryAvailability(tx, filter));
    // No rows: a centre without schedules, or no centre of this tenant at all.
    if (schedules.length === 0 && !(await ctx.singleStatement((tx) => centresRepository.exists(tx, filter.centreId)))) throw notFound('Centre');
    const mirrors = schedules.filter((row) => row.linkId);
    if (mirrors.length === 0 || !this.remote) return { centreId: filter.centreId, from: filter.from, to: filter.to, schedules, unavailable: [] };
    const shared = await this.remote.availability(ctx, mirrors, filter);
    return {
      centreId: filter.centreId, from: filter.from, to: filter.to,
      schedules: [...schedules.filter((row) => !row.linkId), ...shared.schedules], unavailable: shared.unavailable,
    };
  }

  private checkWindow(from: Date, to: Date): void {
    if (to.getTime() <= from.getTime()) throw badInput([{ field: 'to', problems: ['must be after from'] }]);
    if (to.getTime() - from.getTime() > this.maxDays * DAY_MS) {
      throw badInput([{ field: 'to', problems: [`the window may span at most ${this.maxDays} days`] }]);
    }
  }
}
