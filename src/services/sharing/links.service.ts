import type { RequestContext } from '../../context/request-context';
import type { Tx } from '../../db/unit-of-work';
import type { EventBus } from '../../events/event-bus';
import { PeerError, PEER_FAILURE_MESSAGES, type PeerFailure } from '../../federation/peer-client';
import type { PeerConnector } from './peer-connector';
import type { PeerShareInfo } from '../../federation/peer-protocol';
import { badInput, notFound } from '../../platform/errors';
import { parseToken } from '../../platform/opaque-token';
import { ADMIN_ONLY, requireStaffRole } from '../common/access';
import { recordAudit } from '../common/audit-log.sql';
import { CONNECTION_TESTS, type AttemptLimiter } from '../common/attempt-limiter.sql';
import { mirrorSchedulesOfLinkLoader, mirrorServicesOfLinkLoader } from '../catalog/catalog.loaders';
import type { MedicalServiceRow, ScheduleRow } from '../catalog/catalog.model';
import { rowsById } from '../common/loaders';
import { createdAtKeyOf, decodeCreatedAtCursor, toPage, type Page, type PageRequest } from '../common/pagination';
import { linksRepository, type LinkRow } from './links.sql';

export interface LinkCredentials {
  url: string;
  remoteCentreId: string;
  token: string;
}

export type LinkTestOutcome =
  | { ok: true; share: PeerShareInfo }
  | { ok: false; failure: PeerFailure; message: string };

/** Every instance watches every live link: a link's creation and removal are announced to all. */
export const LINKS_CHANGED_TOPIC = 'sharing.links-changed';

export interface LinkChange {
  tenantId: string;
  linkId: string;
  removed: boolean;
}

const LINKS = Symbol('share-links');
const linkLoader = (ctx: RequestContext) => rowsById(ctx, LINKS, linksRepository.findByIds);

/** Client centre side of schedule sharing: test, save, list and remove links to sharing centres. */
export class LinksService {
  constructor(
    private readonly connector: PeerConnector,
    private readonly limiter: AttemptLimiter,
    private readonly bus: EventBus,
  ) {}

  /** Really connects; a failure names what is wrong. More than five failures block the user for an hour. */
  async test(ctx: RequestContext, credentials: LinkCredentials): Promise<LinkTestOutcome> {
    const admin = requireStaffRole(ctx, ADMIN_ONLY);
    const token = parseToken(credentials.token);
    if (!token || token.kind !== 'shareLink') {
      throw badInput([{ field: 'input.token', problems: ['is not a shared link token (it starts with csl_)'] }]);
    }
    await this.limiter.begin(ctx, admin.userId, CONNECTION_TESTS);
    let outcome: LinkTestOutcome | undefined;
    try {
      outcome = await this.probe(credentials);
    } finally {
      // Whatever happened, the attempt is finished: anything but success counts as a failure.
      await (outcome?.ok ? this.limiter.succeeded(ctx, admin.userId, CONNECTION_TESTS) : this.limiter.failed(ctx, admin.userId, CONNECTION_TESTS));
    }
    await ctx.transaction((tx) => recordAudit(ctx, tx, {
      action: 'share-link.tested', entityType: 'ShareLink',
      details: { url: credentials.url, remoteCentreId: credentials.remoteCentreId, ok: outcome.ok, failure: outcome.ok ? null : outcome.failure },
    }));
    return outcome;
  }

  /** Tests, and saves only on success: the link, and mirrors of the shared schedules in the client centre. */
  async create(ctx: RequestContext, input: LinkCredentials & { centreId: string; label: string }): Promise<LinkTestOutcome & { link?: LinkRow }> {
    requireStaffRole(ctx, ADMIN_ONLY);
    await this.requireCentre(ctx, input.centreId);
    const outcome = await this.test(ctx, input);
    if (!outcome.ok) return outcome;
    return { ...outcome, link: await ctx.transaction((tx) => this.save(ctx, tx, input, outcome.share)) };
  }

  /** Saves a link whose test just succeeded (with the share it answered), in the caller's transaction. */
  async save(ctx: RequestContext, tx: Tx, input: LinkCredentials & { centreId: string; label: string }, share: PeerShareInfo): Promise<LinkRow> {
    const saved = await linksRepository.insertLink(tx, {
      centreId: input.centreId, remoteUrl: input.url, remoteCentreId: input.remoteCentreId, remoteCentreName: share.centreName,
      remoteShareId: parseToken(input.token)!.credentialId, tokenCiphertext: this.connector.seal(input.token), label: input.label,
    });
    await linksRepository.insertMirrors(tx, saved, share);
    await recordAudit(ctx, tx, { action: 'share-link.created', entityType: 'ShareLink', entityId: saved.id, details: { remoteCentreId: input.remoteCentreId } });
    announceAfterCommit(tx, this.bus, { tenantId: tx.tenantId, linkId: saved.id, removed: false });
    return saved;
  }

  /** The link a mirror schedule came through (its health included); no role check: the mirror's reader may see it. */
  linkOf(ctx: RequestContext, linkId: string): Promise<LinkRow | undefined> {
    return linkLoader(ctx).load(linkId);
  }

  /** The schedules and services a link mirrored into the client centre. */
  async mirrorsOf(ctx: RequestContext, linkId: string): Promise<{ schedules: ScheduleRow[]; services: MedicalServiceRow[] }> {
    const [schedules, services] = await Promise.all([mirrorSchedulesOfLinkLoader(ctx).load(linkId), mirrorServicesOfLinkLoader(ctx).load(linkId)]);
    return { schedules, services };
  }

  /** The tenant's links (or one client centre's), oldest first, removed ones left out, one page. */
  async links(ctx: RequestContext, centreId: string | undefined, page: PageRequest): Promise<Page<LinkRow>> {
    requireStaffRole(ctx, ADMIN_ONLY);
    const after = page.after ? decodeCreatedAtCursor(page.after, 'after') : undefined;
    const rows = await ctx.transaction((tx) => linksRepository.linksOfCentre(tx, centreId, { limit: page.first + 1, after }));
    return toPage(rows, page.first, createdAtKeyOf);
  }

  async remove(ctx: RequestContext, linkId: string): Promise<LinkRow> {
    requireStaffRole(ctx, ADMIN_ONLY);
    const link = await ctx.transaction(async (tx) => {
      const removed = await linksRepository.removeLink(tx, linkId);
      if (!removed) throw notFound('Share link');
      await recordAudit(ctx, tx, { action: 'share-link.removed', entityType: 'ShareLink', entityId: removed.id });
      announceAfterCommit(tx, this.bus, { tenantId: tx.tenantId, linkId: removed.id, removed: true });
      return removed;
    });
    return link;
  }

  /** Really connects, counting no attempt (the callers count): the share, or what is wrong. */
  async probe(credentials: LinkCredentials): Promise<LinkTestOutcome> {
    try {
      const share = await this.connector.forToken(credentials.url, credentials.token).share();
      if (share.centreId !== credentials.remoteCentreId) return failed('UNKNOWN_CENTRE');
      return { ok: true, share };
    } catch (error) {
      if (error instanceof PeerError) return { ok: false, failure: error.failure, message: error.message };
      throw error;
    }
  }

  private async requireCentre(ctx: RequestContext, centreId: string): Promise<void> {
    const [centre] = await ctx.transaction((tx) => tx.query('SELECT 1 FROM centres WHERE tenant_id = $1 AND id = $2', [tx.tenantId, centreId]));
    if (!centre) throw notFound('Centre');
  }
}

function announceAfterCommit(tx: Tx, bus: EventBus, change: LinkChange): void {
  tx.afterCommit(() => void bus.publish(LINKS_CHANGED_TOPIC, change).catch(() => undefined));
}

const failed = (failure: PeerFailure): LinkTestOutcome => ({ ok: false, failure, message: PEER_FAILURE_MESSAGES[failure] });
