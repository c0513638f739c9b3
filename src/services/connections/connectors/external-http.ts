import { PeerError } from '../../../federation/peer-client';
import type { PeerAnswer, PeerHttpTransport } from '../../../federation/peer-http-transport';
import { problem, problemOfFailure, type ConnectionProblem } from '../connection-problems';

export interface ExternalHttpOptions {
  transport: PeerHttpTransport;
  timeoutMs: number;
  maxResponseBytes: number;
}

/** A JSON answer (any status), or the problem that kept it from coming. */
export type JsonAnswer = { ok: true; status: number; json: unknown; cacheControl: string | undefined } | { ok: false; problem: ConnectionProblem };

/**
 * GETs of another booking system, under the outbound rules of every careslot call (the address
 * guard, a deadline, a size cap, no redirects). An answer that is not JSON is the wrong protocol
 * when it does not claim to be JSON, and malformed when it does.
 */
export class ExternalHttp {
  constructor(private readonly options: ExternalHttpOptions) {}

  async getJson(url: URL, headers: Record<string, string> = {}): Promise<JsonAnswer> {
    return this.json(url, headers);
  }

  /** A FHIR create (POST) or update (PUT) of a JSON resource; the answer as getJson reads it. */
  async sendJson(method: 'POST' | 'PUT', url: URL, resource: unknown, headers: Record<string, string> = {}): Promise<JsonAnswer> {
    return this.json(url, { 'content-type': 'application/fhir+json', ...headers }, { method, body: JSON.stringify(resource) });
  }

  private async json(url: URL, headers: Record<string, string>, send?: { method: 'POST' | 'PUT'; body: string }): Promise<JsonAnswer> {
    const answer = await this.exchange(url, { accept: 'application/fhir+json, application/json', ...headers }, send);
    if (!answer.ok) return answer;
    const { status, body } = answer;
    const contentType = String(answer.headers?.['content-type'] ?? '');
    const cacheControl = answer.headers?.['cache-control'];
    if (status === 401 || status === 403) return { ok: true, status, json: null, cacheControl };
    try {
      return { ok: true, status, json: JSON.parse(body) as unknown, cacheControl };
    } catch {
      if (status === 404 || status === 410) return { ok: true, status, json: null, cacheControl };
      return { ok: false, problem: /json/i.test(contentType) ? problem('MALFORMED_RESPONSE') : problem('WRONG_PROTOCOL', 'bookingUrl', `HTTP ${status}, ${contentType || 'no content type'}`) };
    }
  }

  /** Newline-delimited JSON (the bulk files of SMART Scheduling Links): its records and Cache-Control, or the problem. */
  async getNdjson(url: URL): Promise<{ ok: true; records: unknown[]; cacheControl: string | undefined } | { ok: false; problem: ConnectionProblem }> {
    const answer = await this.exchange(url, { accept: 'application/fhir+ndjson, application/x-ndjson' });
    if (!answer.ok) return answer;
    if (answer.status !== 200) return { ok: false, problem: problem('WRONG_PROTOCOL', 'bookingUrl', `a listed file answered HTTP ${answer.status}`) };
    try {
      const records = answer.body.split('\n').filter((line) => line.trim()).map((line) => JSON.parse(line) as unknown);
      return { ok: true, records, cacheControl: answer.headers?.['cache-control'] };
    } catch {
      return { ok: false, problem: problem('MALFORMED_RESPONSE', null, 'a listed file is not newline-delimited JSON') };
    }
  }

  /** The answer, or the transport's failure as the problem a person can act on. */
  private async exchange(
    url: URL, headers: Record<string, string>, send?: { method: 'POST' | 'PUT'; body: string },
  ): Promise<({ ok: true } & PeerAnswer) | { ok: false; problem: ConnectionProblem }> {
    try {
      const { timeoutMs, maxResponseBytes } = this.options;
      return { ok: true, ...(await this.options.transport.post({ url, headers, timeoutMs, maxResponseBytes, ...send })) };
    } catch (error) {
      if (error instanceof PeerError) return { ok: false, problem: problemOfFailure(error.failure) };
      throw error;
    }
  }
}

/** A URL the admin typed, or the problem with it. */
export function parseUrl(text: string): { ok: true; url: URL } | { ok: false; problem: ConnectionProblem } {
  try {
    const url = new URL(text);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return { ok: false, problem: problem('WRONG_PROTOCOL', 'bookingUrl', 'only http(s) URLs') };
    return { ok: true, url };
  } catch {
    return { ok: false, problem: problem('WRONG_PROTOCOL', 'bookingUrl', 'not a URL') };
  }
}
