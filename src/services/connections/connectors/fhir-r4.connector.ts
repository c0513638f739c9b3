import type { ConnectionFields } from '../booking-systems';
import { problem } from '../connection-problems';
import type { BookingSystemConnector, ConnectionTest } from './connector';
import { parseUrl, type ExternalHttp } from './external-http';

interface CapabilityStatement {
  resourceType?: string;
  fhirVersion?: string;
  rest?: Array<{ resource?: Array<{ type?: string; interaction?: Array<{ code?: string }> }> }>;
}

interface Schedule {
  resourceType?: string;
  id?: string;
  comment?: string;
  actor?: Array<{ reference?: string; display?: string }>;
}

/** A path under the FHIR base, whatever the base ends with. */
const under = (base: URL, path: string) => new URL(`${base.pathname.replace(/\/$/, '')}/${path}`, base);

/**
 * HL7 FHIR R4's scheduling API. The test: the server's CapabilityStatement says FHIR 4.0.x and
 * Slot search; then the location's Schedule, read with the API key as bearer, exists and (when an
 * external department ID is given) serves that Location.
 */
export class FhirR4Connector implements BookingSystemConnector {
  readonly code = 'FHIR_R4' as const;

  constructor(private readonly http: ExternalHttp) {}

  async test(fields: ConnectionFields): Promise<ConnectionTest> {
    const base = parseUrl(fields.bookingUrl!);
    if (!base.ok) return base;
    const metadata = await this.http.getJson(under(base.url, 'metadata'));
    if (!metadata.ok) return metadata;
    const capability = metadata.json as CapabilityStatement | null;
    if (metadata.status !== 200 || capability?.resourceType !== 'CapabilityStatement') {
      return { ok: false, problem: problem('WRONG_PROTOCOL', 'bookingUrl', 'no FHIR CapabilityStatement at [base]/metadata') };
    }
    if (!capability.fhirVersion?.startsWith('4.0.')) {
      return { ok: false, problem: problem('WRONG_PROTOCOL', 'bookingUrl', `FHIR ${capability.fhirVersion ?? 'of unknown version'}, not R4 (4.0.x)`) };
    }
    const slot = capability.rest?.flatMap((rest) => rest.resource ?? []).find((resource) => resource.type === 'Slot');
    if (!slot?.interaction?.some((interaction) => interaction.code === 'search-type')) {
      return { ok: false, problem: problem('WRONG_PROTOCOL', 'bookingUrl', 'the server does not support Slot search') };
    }
    const read = await this.http.getJson(under(base.url, `Schedule/${encodeURIComponent(fields.externalId!)}`), { authorization: `Bearer ${fields.apiKey}` });
    if (!read.ok) return read;
    if (read.status === 401 || read.status === 403) return { ok: false, problem: problem('KEY_REFUSED', 'apiKey') };
    if (read.status === 404 || read.status === 410) return { ok: false, problem: problem('UNKNOWN_EXTERNAL_ID', 'externalId') };
    const schedule = read.json as Schedule | null;
    if (read.status !== 200 || schedule?.resourceType !== 'Schedule') return { ok: false, problem: problem('MALFORMED_RESPONSE', null, `the Schedule read answered HTTP ${read.status}`) };
    const department = fields.externalDepartmentId?.trim();
    if (department && !schedule.actor?.some((actor) => actor.reference === `Location/${department}`)) {
      return { ok: false, problem: problem('UNKNOWN_EXTERNAL_ID', 'externalDepartmentId', 'the Schedule does not serve this Location') };
    }
    return { ok: true, found: { remoteName: schedule.comment ?? schedule.actor?.find((actor) => actor.display)?.display ?? null } };
  }
}
