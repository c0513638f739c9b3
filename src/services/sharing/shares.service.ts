import type { RequestContext } from '../../context/request-context';
import type { Tx } from '../../db/unit-of-work';
import type { AppointmentOrigin } from '../../entities';
import type { EventBus } from '../../events/event-bus';
import type { ShareRestrictions } from '../../federation/peer-protocol';
import { badInput, conflict, notFound } from '../../platform/errors';
import { issueToken } from '../../platform/opaque-token';
import { ADMIN_ONLY, requireStaffRole } from '../common/access';
import { appointmentLoader } from '../scheduling/appointment-loaders';
import { recordAudit } from '../common/audit-log.sql';
import { createdAtKeyOf, decodeCreatedAtCursor, toPage, type Page, type PageRequest } from '../common/pagination';
import { changedFields } from '../catalog/audit-details';
import { centresRepository } from '../catalog/centres.sql';
import { publishShareChangedAfterCommit, publishShareCredentialChangedAfterCommit } from './sharing-events';
import {
  DEFAULT_RESTRICTIONS, type CreatedShare, type NewShare, type ShareChange, type ShareRestrictionsInput, type ShareRow, type ShareView,
} from './shares.model';
import { sharesRepository } from './shares.sql';

/** How appointments booked by a client centre are marked at the sharing centre. */
export const SHARED_CLIENT_MARKER = '*';

/** Sharing centre side: shares of schedules with restrictions and a link token. */
export class SharesService {
  constructor(private readonly bus: EventBus, private readonly publicUrl: () => string) {}

  /** Opens schedules of one centre to client centres. The token is in the answer and nowhere else. */
  async createShare(ctx: RequestContext, input: NewShare): Promise<CreatedShare> {
    requireStaffRole(ctx, ADMIN_ONLY);
    const restrictions = toRestrictions(input.restrictions);
    const scheduleIds = sortedUnique(input.scheduleIds);
    return ctx.transaction(async (tx) => {
      if (!(await centresRepository.find(tx, input.centreId))) throw notFound('Centre');
      await assertSchedulesOfCentre(tx, input.centreId, scheduleIds);
      await assertServicesOffered(tx, restrictions.allowedServiceIds, scheduleIds, 'input.restrictions.allowedServiceIds');
      const issued = issueToken('shareLink', tx.tenantId);
      await sharesRepository.insert(tx, { id: issued.credentialId, centreId: input.centreId, label: input.label, secretHash: issued.secretHash, restrictions });
      await sharesRepository.replaceSchedules(tx, issued.credentialId, scheduleIds);
      const share = (await sharesRepository.find(tx, issued.credentialId))!;
      await recordAudit(ctx, tx, {
        action: 'schedule-share.created', entityType: 'ScheduleShare', entityId: share.id,
        details: { centreId: share.centreId, scheduleIds, ...auditRestrictions(restrictions) },
      });
      return this.created(share, issued.token);
    });
  }

  /** The shares of the tenant (or of one centre), newest first, revoked ones included, one page. */
  async shares(ctx: RequestContext, centreId: string | undefined, page: PageRequest): Promise<Page<ShareView>> {
    requireStaffRole(ctx, ADMIN_ONLY);
    const after = page.after ? decodeCreatedAtCursor(page.after, 'after') : undefined;
    const rows = await ctx.transaction(async (tx) => {
      if (centreId !== undefined && !(await centresRepository.find(tx, centreId))) throw notFound('Centre');
      return sharesRepository.list(tx, centreId, { limit: page.first + 1, after });
    });
    const shares = toPage(rows, page.first, createdAtKeyOf);
    return { ...shares, nodes: shares.nodes.map((row) => this.view(row)) };
  }

  /** Live peers see the change on their next call; their subscriptions hear SCHEDULE_CHANGED. */
  async updateShare(ctx: RequestContext, change: ShareChange): Promise<ShareView> {
    requireStaffRole(ctx, ADMIN_ONLY);
    const restrictions = change.restrictions === undefined ? undefined : toRestrictions(change.restrictions);
    return ctx.transaction(async (tx) => {
      const before = await openShare(tx, change.id, 'changed');
      const scheduleIds = change.scheduleIds === undefined ? before.scheduleIds : sortedUnique(change.scheduleIds);
      if (change.scheduleIds !== undefined) await assertSchedulesOfCentre(tx, before.centreId, scheduleIds);
      if (restrictions !== undefined || change.scheduleIds !== undefined) {
        const field = restrictions !== undefined ? 'input.restrictions.allowedServiceIds' : 'input.scheduleIds';
        await assertServicesOffered(tx, (restrictions ?? before.restrictions).allowedServiceIds, scheduleIds, field);
      }
      await sharesRepository.update(tx, change.id, { label: change.label, restrictions });
      if (change.scheduleIds !== undefined) await sharesRepository.replaceSchedules(tx, change.id, scheduleIds);
      const after = (await sharesRepository.find(tx, change.id))!;
      await recordAudit(ctx, tx, {
        action: 'schedule-share.updated', entityType: 'ScheduleShare', entityId: after.id,
        details: {
          changed: changedFields(change).filter((field) => field !== 'id'), scheduleIds: after.scheduleIds,
          ...(restrictions ? auditRestrictions(restrictions) : {}),
        },
      });
      publishShareChangedAfterCommit(tx, this.bus, after.id, sortedUnique([...before.scheduleIds, ...after.scheduleIds]));
      return this.view(after);
    });
  }

  /** A new token; the old one stops working at once, on every instance, live subscriptions included. */
  async rotateToken(ctx: RequestContext, id: string): Promise<CreatedShare> {
    requireStaffRole(ctx, ADMIN_ONLY);
    return ctx.transaction(async (tx) => {
      await openShare(tx, id, 'given a new token');
      const issued = issueToken('shareLink', tx.tenantId, id);
      await sharesRepository.replaceSecret(tx, id, issued.secretHash);
      const share = (await sharesRepository.find(tx, id))!;
      await recordAudit(ctx, tx, { action: 'schedule-share.token-rotated', entityType: 'ScheduleShare', entityId: id });
      publishShareCredentialChangedAfterCommit(tx, this.bus, id);
      return this.created(share, issued.token);
    });
  }

  /** Ends the share: its token stops working at once, on every instance, live subscriptions included. Idempotent. */
  async revokeShare(ctx: RequestContext, id: string): Promise<ShareView> {
    requireStaffRole(ctx, ADMIN_ONLY);
    return ctx.transaction(async (tx) => {
      const before = await sharesRepository.find(tx, id, { forUpdate: true });
      if (!before) throw notFound('Schedule share');
      await sharesRepository.revoke(tx, id);
      const share = (await sharesRepository.find(tx, id))!;
      if (!before.revokedAt) {
        await recordAudit(ctx, tx, { action: 'schedule-share.revoked', entityType: 'ScheduleShare', entityId: id });
      }
      publishShareCredentialChangedAfterCommit(tx, this.bus, id);
      return this.view(share);
    });
  }

  /** The client centre's name on an appointment it booked through a share (batched per request). */
  async clientCentreNameOf(ctx: RequestContext, appointment: { id: string; origin: AppointmentOrigin }): Promise<string | null> {
    if (appointment.origin !== 'SHARED_CLIENT') return null;
    return (await appointmentLoader(ctx).load(appointment.id))?.clientCentreName ?? null;
  }

  /** `*` for appointments a client centre booked through a share, nothing otherwise. */
  displayMarkerOf(appointment: { origin: AppointmentOrigin }): string | null {
    return appointment.origin === 'SHARED_CLIENT' ? SHARED_CLIENT_MARKER : null;
  }

  private view(row: ShareRow): ShareView {
    return { ...row, serverUrl: this.publicUrl() };
  }

  private created(row: ShareRow, token: string): CreatedShare {
    const share = this.view(row);
    return { share, token, serverUrl: share.serverUrl, centreId: share.centreId };
  }
}

/** The share, locked until commit; NOT_FOUND when missing, CONFLICT when revoked. */
async function openShare(tx: Tx, id: string, what: string): Promise<ShareRow> {
  const share = await sharesRepository.find(tx, id, { forUpdate: true });
  if (!share) throw notFound('Schedule share');
  if (share.revokedAt) throw conflict(`A revoked share cannot be ${what}`, { reason: 'SHARE_REVOKED' });
  return share;
}

/** Omitted (or null) fields take their defaults; dailyQuota null means no quota. */
function toRestrictions(input: ShareRestrictionsInput | undefined): ShareRestrictions {
  const restrictions: ShareRestrictions = {
    allowedServiceIds: sortedUnique(input?.allowedServiceIds ?? DEFAULT_RESTRICTIONS.allowedServiceIds),
    earliestDaysAhead: input?.earliestDaysAhead ?? DEFAULT_RESTRICTIONS.earliestDaysAhead,
    latestDaysAhead: input?.latestDaysAhead ?? DEFAULT_RESTRICTIONS.latestDaysAhead,
    weeklyWindows: (input?.weeklyWindows ?? DEFAULT_RESTRICTIONS.weeklyWindows).map(({ weekday, startTime, endTime }) => ({ weekday, startTime, endTime })),
    dailyQuota: input?.dailyQuota ?? DEFAULT_RESTRICTIONS.dailyQuota,
  };
  if (restrictions.latestDaysAhead <= restrictions.earliestDaysAhead) {
    throw badInput([{ field: 'input.restrictions.latestDaysAhead', problems: [`latestDaysAhead must be greater than earliestDaysAhead (${restrictions.earliestDaysAhead})`] }]);
  }
  return restrictions;
}

/** Every schedule exists in the tenant (else NOT_FOUND), belongs to the centre and is the centre's own. */
async function assertSchedulesOfCentre(tx: Tx, centreId: string, scheduleIds: string[]): Promise<void> {
  if (scheduleIds.length === 0) throw badInput([{ field: 'input.scheduleIds', problems: ['share at least one schedule'] }]);
  const found = await sharesRepository.scheduleOwnership(tx, scheduleIds);
  if (found.length !== scheduleIds.length) throw notFound('Schedule');
  if (found.some((schedule) => schedule.centreId !== centreId)) {
    throw badInput([{ field: 'input.scheduleIds', problems: ['every schedule must belong to the centre'] }]);
  }
  if (found.some((schedule) => schedule.mirrored)) {
    throw badInput([{ field: 'input.scheduleIds', problems: ['a schedule shared with this centre by another one cannot be shared on'] }]);
  }
}

/** Every allowed service exists in the tenant (else NOT_FOUND) and is offered by at least one shared schedule. */
async function assertServicesOffered(tx: Tx, serviceIds: string[], scheduleIds: string[], field: string): Promise<void> {
  if (serviceIds.length === 0) return;
  const found = await sharesRepository.serviceOffers(tx, serviceIds, scheduleIds);
  if (found.length !== serviceIds.length) throw notFound('Service');
  if (found.some((service) => !service.offered)) {
    throw badInput([{ field, problems: ['every allowed service must be offered by one of the shared schedules'] }]);
  }
}

/** Ids and numbers only (the label is free text: not in the audit). */
function auditRestrictions(restrictions: ShareRestrictions): Record<string, unknown> {
  return {
    allowedServiceIds: restrictions.allowedServiceIds, earliestDaysAhead: restrictions.earliestDaysAhead,
    latestDaysAhead: restrictions.latestDaysAhead, weeklyWindows: restrictions.weeklyWindows.length, dailyQuota: restrictions.dailyQuota,
  };
}

function sortedUnique(ids: readonly string[]): string[] {
  return [...new Set(ids.map((id) => id.toLowerCase()))].sort();
}
