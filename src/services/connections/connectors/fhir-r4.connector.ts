import type { ConnectionFields } from '../booking-systems';
import { problem, type ConnectionProblem } from '../connection-problems';
import {
  utcText, type ConnectionTest, type ExternalBookingAnswer, type ExternalBookingRequest, type ExternalScheduleConnector, type ExternalSlot, type SavedFields,
  type SlotsAnswer,
} from './connector';
import { parseUrl, type ExternalHttp, type JsonAnswer } from './external-http';

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

interface Bundle<T> {
  resourceType?: string;
  entry?: Array<{ resource?: T }>;
  link?: Array<{ relation?: string; url?: string }>;
}

interface FhirSlot {
  resourceType?: string;
  id?: string;
  status?: string;
  start?: string;
  end?: string;
}

interface FhirAppointment {
  resourceType?: string;
  id?: string;
  status?: string;
  start?: string;
  end?: string;
}

/** A path under the FHIR base, whatever the base ends with. */
const under = (base: URL, path: string) => new URL(`${base.pathname.replace(/\/$/, '')}/${path}`, base);

/** Our appointment ids at the FHIR server: the identifier a conditional create looks for, so a retry books once. */
export const CARESLOT_BOOKING_SYSTEM = 'urn:careslot:booking';

/** Slot search follows at most this many pages (the server's own page size decides their length). */
const MAX_PAGES = 10;
const BUSY = new Set(['busy', 'busy-unavailable', 'busy-tentative']);

/**
 * HL7 FHIR R4's scheduling API. The test: the server's CapabilityStatement says FHIR 4.0.x and
 * Slot search; then the location's Schedule, read with the API key as bearer, exists and (when an
 * external department ID is given) serves that Location.
 */
export class FhirR4Connector implements ExternalScheduleConnector {
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

  /** The Schedule's Slots starting in [from, to), following the server's paging on its own origin. */
  async slots(fields: SavedFields, from: Date, to: Date): Promise<SlotsAnswer> {
    const base = parseUrl(fields.bookingUrl!);
    if (!base.ok) return base;
    let url: URL | null = this.slotSearch(base.url, fields, [`ge${utcText(from)}`, `lt${utcText(to)}`]);
    const slots: ExternalSlot[] = [];
    for (let page = 0; url && page < MAX_PAGES; page += 1) {
      const answer = await this.http.getJson(url, this.bearer(fields));
      const bundle = bundleOf<FhirSlot>(answer);
      if (!bundle.ok) return bundle;
      for (const slot of bundle.resources) {
        if (slot.resourceType !== 'Slot' || !slot.start || !slot.end || !slot.status) continue;
        if (slot.status !== 'free' && !BUSY.has(slot.status)) continue;
        slots.push({ start: utcText(slot.start), end: utcText(slot.end), free: slot.status === 'free', bookingLink: null, ref: slot.id ?? null });
      }
      const next = bundle.next && new URL(bundle.next, base.url);
      url = next && next.origin === base.url.origin ? next : null;
    }
    return { ok: true, slots };
  }

  /**
   * An Appointment on the Slot that starts at `start`, created conditionally on our reference
   * (`If-None-Exist`): a retry finds the first one instead of booking twice. The server decides
   * whether the slot is still free.
   */
  async book(fields: SavedFields, request: ExternalBookingRequest): Promise<ExternalBookingAnswer> {
    const base = parseUrl(fields.bookingUrl!);
    if (!base.ok) return { kind: 'PROBLEM', problem: base.problem, ambiguous: false };
    const search = bundleOf<FhirSlot>(await this.http.getJson(this.slotSearch(base.url, fields, [utcText(request.start)]), this.bearer(fields)));
    if (!search.ok) return { kind: 'PROBLEM', problem: search.problem, ambiguous: false };
    const slot = search.resources.find((found) => found.resourceType === 'Slot' && found.id && found.start && Date.parse(found.start) === request.start.getTime());
    if (!slot) return { kind: 'OFF_SLOT_GRID' };
    const identifier = `${CARESLOT_BOOKING_SYSTEM}|${request.reference}`;
    const created = await this.http.sendJson('POST', under(base.url, 'Appointment'), appointmentFor(slot, request), {
      ...this.bearer(fields), 'if-none-exist': `identifier=${encodeURIComponent(identifier)}`,
    });
    if (!created.ok) return { kind: 'PROBLEM', problem: created.problem, ambiguous: true };
    if (created.status === 409 || created.status === 412 || created.status === 422) return { kind: 'SLOT_UNAVAILABLE' };
    const refused = statusProblem(created.status);
    if (refused) return { kind: 'PROBLEM', problem: refused, ambiguous: created.status >= 500 };
    const appointment = created.json as FhirAppointment | null;
    if (appointment?.resourceType !== 'Appointment' || !appointment.id) return { kind: 'PROBLEM', problem: problem('MALFORMED_RESPONSE', null, 'the Appointment create answered no Appointment'), ambiguous: true };
    return { kind: 'BOOKED', ref: appointment.id, start: utcText(appointment.start ?? slot.start!), end: utcText(appointment.end ?? slot.end!) };
  }

  /** Our Appointment (found by our reference) set to cancelled; nothing to do when there is none, or it is cancelled already. */
  async cancel(fields: SavedFields, reference: string): Promise<{ ok: true } | { ok: false; problem: ConnectionProblem }> {
    const base = parseUrl(fields.bookingUrl!);
    if (!base.ok) return base;
    const url = under(base.url, 'Appointment');
    url.searchParams.set('identifier', `${CARESLOT_BOOKING_SYSTEM}|${reference}`);
    const found = bundleOf<FhirAppointment & Record<string, unknown>>(await this.http.getJson(url, this.bearer(fields)));
    if (!found.ok) return found;
    const appointment = found.resources.find((resource) => resource.resourceType === 'Appointment' && resource.id);
    if (!appointment || appointment.status === 'cancelled') return { ok: true };
    const updated = await this.http.sendJson('PUT', under(base.url, `Appointment/${encodeURIComponent(appointment.id!)}`), { ...appointment, status: 'cancelled' }, this.bearer(fields));
    if (!updated.ok) return updated;
    const refused = statusProblem(updated.status);
    return refused ? { ok: false, problem: refused } : { ok: true };
  }

  private slotSearch(base: URL, fields: SavedFields, starts: string[]): URL {
    const url = under(base, 'Slot');
    url.searchParams.set('schedule', `Schedule/${fields.externalId}`);
    for (const start of starts) url.searchParams.append('start', start);
    return url;
  }

  private bearer(fields: SavedFields): Record<string, string> {
    return { authorization: `Bearer ${fields.apiKey}` };
  }
}

/** What a FHIR status answers, when it is not success. */
function statusProblem(status: number): ConnectionProblem | null {
  if (status === 401 || status === 403) return problem('KEY_REFUSED', 'apiKey');
  if (status === 404 || status === 410) return problem('UNKNOWN_EXTERNAL_ID', 'externalId');
  if (status >= 400) return problem('MALFORMED_RESPONSE', null, `HTTP ${status}`);
  return null;
}

/** A search answer's resources and next page, or what kept them from us. */
function bundleOf<T>(answer: JsonAnswer): { ok: true; resources: T[]; next: string | null } | { ok: false; problem: ConnectionProblem } {
  if (!answer.ok) return answer;
  const refused = statusProblem(answer.status);
  if (refused) return { ok: false, problem: refused };
  const bundle = answer.json as Bundle<T> | null;
  if (bundle?.resourceType !== 'Bundle') return { ok: false, problem: problem('MALFORMED_RESPONSE', null, 'a search answered no Bundle') };
  return {
    ok: true,
    resources: (bundle.entry ?? []).flatMap((entry) => (entry.resource ? [entry.resource] : [])),
    next: bundle.link?.find((link) => link.relation === 'next')?.url ?? null,
  };
}

/** The Appointment we ask for: booked on the slot, for the patient (named, with their identity number where known), with our reference. */
function appointmentFor(slot: FhirSlot, request: ExternalBookingRequest): Record<string, unknown> {
  const { patient } = request;
  return {
    resourceType: 'Appointment',
    status: 'booked',
    identifier: [{ system: CARESLOT_BOOKING_SYSTEM, value: request.reference }],
    slot: [{ reference: `Slot/${slot.id}` }],
    start: slot.start,
    end: slot.end,
    ...(request.note ? { comment: request.note } : {}),
    participant: [{
      actor: {
        display: `${patient.givenName} ${patient.familyName}`,
        ...(patient.personalIdentityNumber ? { identifier: { value: patient.personalIdentityNumber } } : {}),
      },
      status: 'accepted',
    }],
  };
}
