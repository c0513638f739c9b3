import { ownPartnerOf } from '../../context/principal';
import type { RequestContext } from '../../context/request-context';
import type { EventBus } from '../../events/event-bus';
import { forbidden, notFound } from '../../platform/errors';
import { requireStaffRole } from '../common/access';
import { recordAudit } from '../common/audit-log.sql';
import { publishPartnerFeedTouchedAfterCommit } from '../common/partner-feed-topic';
import { holderOf } from '../scheduling/holder';
import { accessLog, partnerDataAccessRepository } from './partner-data-access.sql';
import { decodeInstantCursor, encodeCursor, type Page, type PageRequest } from '../common/pagination';
import type { AccessLogRow, DataAccessRow } from './partner-feed.model';
import { partnerLoader } from './partners.service';

const CLINIC_HEAD_ONLY = ['CLINIC_HEAD'] as const;
const ACCESS_READERS = ['CLINIC_HEAD', 'ADMIN'] as const;

/** Never opened: what a closed access reads as. */
export const neverOpened = (partnerId: string): DataAccessRow => ({
  partnerId, openedAt: null, openedBy: null, closedAt: null, closedBy: null, epoch: 0, beginsAt: null, state: 'CLOSED',
});

/**
 * Seed 002: only the clinic head opens the tenant's patient and appointment data to a partner, and
 * closes it again. Data flows from 24 hours after opening; closing stops it at once. Audited.
 */
export class PartnerDataAccessService {
  constructor(private readonly bus: EventBus) {}

  async open(ctx: RequestContext, partnerId: string): Promise<DataAccessRow> {
    const head = requireStaffRole(ctx, CLINIC_HEAD_ONLY);
    await this.existing(ctx, partnerId);
    return ctx.transaction(async (tx) => {
      const { row, changed } = await partnerDataAccessRepository.open(tx, partnerId, holderOf(head));
      if (changed) {
        await recordAudit(ctx, tx, { action: 'partner-data.opened', entityType: 'Partner', entityId: partnerId, details: { epoch: row.epoch, beginsAt: row.beginsAt } });
        publishPartnerFeedTouchedAfterCommit(tx, this.bus);
      }
      return row;
    });
  }

  async close(ctx: RequestContext, partnerId: string): Promise<DataAccessRow> {
    const head = requireStaffRole(ctx, CLINIC_HEAD_ONLY);
    await this.existing(ctx, partnerId);
    return ctx.transaction(async (tx) => {
      const { row, changed } = await partnerDataAccessRepository.close(tx, partnerId, holderOf(head));
      if (changed) {
        await recordAudit(ctx, tx, { action: 'partner-data.closed', entityType: 'Partner', entityId: partnerId, details: { epoch: row!.epoch } });
        publishPartnerFeedTouchedAfterCommit(tx, this.bus);
      }
      return row ?? neverOpened(partnerId);
    });
  }

  /** A clinic head or ADMIN reads any partner's access; a partner user or app its own (the partner id may be left out). */
  async accessOf(ctx: RequestContext, partnerId: string | undefined): Promise<DataAccessRow> {
    const own = ownPartnerOf(ctx.caller);
    if (own === undefined) requireStaffRole(ctx, ACCESS_READERS);
    const id = own ?? partnerId;
    if (!id) throw forbidden('Name the partner (partnerId)');
    if (own !== undefined && partnerId !== undefined && partnerId !== own) throw notFound('Partner');
    if (own === undefined) await this.existing(ctx, id);
    return (await ctx.transaction((tx) => partnerDataAccessRepository.find(tx, id))) ?? neverOpened(id);
  }

  /** Every audited partner-data event of a partner in a period (reads, openings, closings): for a clinic head or ADMIN. */
  async accessLog(ctx: RequestContext, partnerId: string, period: { from: Date; to: Date }, page: PageRequest): Promise<Page<AccessLogRow>> {
    requireStaffRole(ctx, ACCESS_READERS);
    await this.existing(ctx, partnerId);
    const after = page.after === undefined ? undefined : decodeInstantCursor(page.after, 'after');
    const rows = await ctx.transaction((tx) => accessLog(tx, partnerId, period, { limit: page.first + 1, after }));
    const nodes = rows.slice(0, page.first);
    const last = nodes.at(-1);
    return { nodes, hasNextPage: rows.length > page.first, endCursor: last && encodeCursor([new Date(last.occurredAt).toISOString(), last.id]) };
  }

  private async existing(ctx: RequestContext, partnerId: string): Promise<void> {
    if (!(await partnerLoader(ctx).load(partnerId))) throw notFound('Partner');
  }
}
