import type { ConnectionFields } from '../booking-systems';
import { problem } from '../connection-problems';
import type { BookingSystemConnector, ConnectionTest } from './connector';
import { parseUrl, type ExternalHttp } from './external-http';

interface Manifest {
  transactionTime?: string;
  output?: Array<{ type?: string; url?: string }>;
}

interface PublishedResource {
  resourceType?: string;
  id?: string;
  name?: string;
  comment?: string;
}

/**
 * SMART Scheduling Links: a publisher's `$bulk-publish` manifest lists Location, Schedule and
 * Slot files (ndjson). The test: the manifest is one, and the external ID is a Location or
 * Schedule in the files it lists.
 */
export class SmartSchedulingLinksConnector implements BookingSystemConnector {
  readonly code = 'SMART_SCHEDULING_LINKS' as const;

  constructor(private readonly http: ExternalHttp) {}

  async test(fields: ConnectionFields): Promise<ConnectionTest> {
    const at = parseUrl(fields.bookingUrl!);
    if (!at.ok) return at;
    const answer = await this.http.getJson(at.url);
    if (!answer.ok) return answer;
    const manifest = answer.json as Manifest | null;
    if (answer.status !== 200 || !manifest || !Array.isArray(manifest.output) || typeof manifest.transactionTime !== 'string') {
      return { ok: false, problem: problem('WRONG_PROTOCOL', 'bookingUrl', 'no $bulk-publish manifest (transactionTime and output) at this URL') };
    }
    const files = manifest.output.filter((file) => (file.type === 'Location' || file.type === 'Schedule') && typeof file.url === 'string');
    for (const file of files) {
      const listed = await this.http.getNdjson(new URL(file.url!, at.url));
      if (!listed.ok) return listed;
      const found = (listed.records as PublishedResource[]).find((resource) => resource.resourceType === file.type && resource.id === fields.externalId);
      if (found) return { ok: true, found: { remoteName: found.name ?? found.comment ?? null } };
    }
    return { ok: false, problem: problem('UNKNOWN_EXTERNAL_ID', 'externalId', 'no Location or Schedule with this id in the published files') };
  }
}
