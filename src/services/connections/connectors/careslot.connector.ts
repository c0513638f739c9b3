import { parseToken } from '../../../platform/opaque-token';
import type { LinksService } from '../../sharing/links.service';
import type { ConnectionFields } from '../booking-systems';
import { problem, problemOfFailure } from '../connection-problems';
import type { BookingSystemConnector, ConnectionTest } from './connector';

/**
 * Another careslot server, through the peer protocol: a share link is this kind of connection
 * (booking URL = the sharing server, external ID = the sharing centre, API key = the link token).
 * The same probe as a share link's test.
 */
export class CareslotConnector implements BookingSystemConnector {
  readonly code = 'CARESLOT' as const;

  constructor(private readonly links: LinksService) {}

  async test(fields: ConnectionFields): Promise<ConnectionTest> {
    const token = parseToken(fields.apiKey!);
    if (!token || token.kind !== 'shareLink') return { ok: false, problem: problem('KEY_REFUSED', 'apiKey', 'a careslot connection\'s key is a shared link token (csl_…)') };
    const outcome = await this.links.probe({ url: fields.bookingUrl!, remoteCentreId: fields.externalId!, token: fields.apiKey! });
    if (!outcome.ok) return { ok: false, problem: problemOfFailure(outcome.failure) };
    return { ok: true, found: { remoteName: outcome.share.centreName, share: outcome.share } };
  }
}
