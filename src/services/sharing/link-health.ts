import type { TenantDatabase } from '../../db/tenant-database';
import type { ShareLinkStatus } from '../../entities';
import type { EventBus } from '../../events/event-bus';
import { PEER_FAILURE_MESSAGES, type PeerFailure } from '../../federation/peer-client';
import type { Logger } from '../../platform/logger';
import { publishAgendaEventAfterCommit } from '../common/agenda-topic';
import { WriteThrottle } from '../common/write-throttle';
import { linksRepository } from './links.sql';

/** What a peer call or the live watch just learnt about a link. */
export type LinkContact = { ok: true } | { ok: false; failure: PeerFailure };

/**
 * How a contact reads as the link's status: a token not accepted is REJECTED, a revoked share
 * REVOKED; a refusal of the operation (the twin's state) is an answer, so the link is OK; the rest
 * UNREACHABLE.
 */
export function statusOf(contact: LinkContact): ShareLinkStatus {
  if (contact.ok || contact.failure === 'REFUSED') return 'OK';
  if (contact.failure === 'REVOKED') return 'REVOKED';
  if (contact.failure === 'BAD_TOKEN') return 'REJECTED';
  return 'UNREACHABLE';
}

/** A link's status is written again at most this often while it stays the same (last contact included). */
const REFRESH_MS = 30_000;

/**
 * Link health from real traffic: the live watch's connection state, availability and booking
 * calls report here; reading it costs no connection test. A change of status is written once
 * (the database decides which instance saw it first); leaving OK and coming back to it are
 * announced to the centre's agenda subscribers as LINK_DOWN and LINK_RESTORED.
 */
export class LinkHealth {
  /** What this instance last wrote per link, so steady traffic does not write on every call. */
  private readonly written = new WriteThrottle(REFRESH_MS);

  constructor(private readonly deps: { database: TenantDatabase; bus: EventBus; logger: Logger }) {}

  /** Never throws: health bookkeeping must not fail the call it observes. */
  async report(tenantId: string, link: { id: string; centreId: string }, contact: LinkContact): Promise<void> {
    const status = statusOf(contact);
    if (!this.written.due(link.id, status)) return;
    try {
      await this.deps.database.transaction(tenantId, async (tx) => {
        const problem = contact.ok ? null : PEER_FAILURE_MESSAGES[contact.failure];
        const change = await linksRepository.recordContact(tx, link.id, status, problem);
        if (!change || change.previous === change.current) return;
        this.deps.logger.info({ linkId: link.id, from: change.previous, to: change.current }, 'share link status changed');
        // Subscribers hear when the link goes down and when it comes back; the kind of trouble is in its status.
        const wentDown = change.previous === 'OK';
        const cameBack = change.current === 'OK';
        if (wentDown || cameBack) {
          publishAgendaEventAfterCommit(tx, this.deps.bus, { centreId: link.centreId, linkId: link.id, kind: cameBack ? 'LINK_RESTORED' : 'LINK_DOWN' });
        }
      });
    } catch (error) {
      this.written.forget(link.id);
      this.deps.logger.warn({ linkId: link.id, err: String(error) }, 'could not record link health');
    }
  }

  forget(linkId: string): void {
    this.written.forget(linkId);
  }
}
