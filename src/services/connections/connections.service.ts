import type { RequestContext } from '../../context/request-context';
import { holderOf } from '../scheduling/holder';
import { notFound } from '../../platform/errors';
import type { SecretBox } from '../../platform/secret-box';
import { ADMIN_ONLY, requireStaffRole } from '../common/access';
import { CONNECTION_TESTS, type AttemptLimiter } from '../common/attempt-limiter.sql';
import { recordAudit } from '../common/audit-log.sql';
import type { LinksService } from '../sharing/links.service';
import {
  BOOKING_SYSTEMS, bookingSystemOf, lastFour, missingFields, requestDetailsText, type BookingSystem, type BookingSystemCode, type ConnectionFields,
} from './booking-systems';
import { problem, type ConnectionProblem } from './connection-problems';
import type { BookingSystemConnector } from './connectors/connector';
import { connectionsRepository } from './connections.sql';
import { externalSchedulesRepository } from './external-schedules.sql';
import type { ConnectionRow } from './connections.model';

export interface ConnectionInput extends ConnectionFields {
  centreId: string;
  system: BookingSystemCode;
}

export type ConnectionOutcome =
  | { ok: true; remoteName: string | null; connection?: ConnectionRow }
  | { ok: false; problem: ConnectionProblem };

/**
 * Seed 004: per centre (location), the booking system that really holds its agenda. An ADMIN
 * tests a connection (it really connects) and saves it only when the test succeeds. More than five
 * failed tests (test or test-and-save, share links included) block the user for an hour, on every
 * server. The API key is sealed; only its last four characters are ever shown.
 */
export class ConnectionsService {
  private readonly connectors: Map<BookingSystemCode, BookingSystemConnector>;

  constructor(
    connectors: BookingSystemConnector[],
    private readonly limiter: AttemptLimiter,
    private readonly links: LinksService,
    private readonly secrets: SecretBox,
  ) {
    this.connectors = new Map(connectors.map((connector) => [connector.code, connector]));
  }

  systems(): readonly BookingSystem[] {
    return BOOKING_SYSTEMS;
  }

  async connection(ctx: RequestContext, centreId: string): Promise<ConnectionRow | null> {
    requireStaffRole(ctx, ADMIN_ONLY);
    const row = await ctx.transaction(async (tx) => {
      if (!(await connectionsRepository.centreIdentity(tx, centreId))) throw notFound('Centre');
      return connectionsRepository.find(tx, centreId);
    });
    return row ?? null;
  }

  /** Seed 004's "Request details": the text to send the vendor, naming exactly this system's fields. */
  async requestDetails(ctx: RequestContext, centreId: string, system: BookingSystemCode): Promise<string> {
    requireStaffRole(ctx, ADMIN_ONLY);
    const centre = await ctx.transaction((tx) => connectionsRepository.centreIdentity(tx, centreId));
    if (!centre) throw notFound('Centre');
    return requestDetailsText(bookingSystemOf(system), centre);
  }

  /** "Test connection": really connects; nothing is stored but the attempt (and its audit). */
  async test(ctx: RequestContext, input: ConnectionInput): Promise<ConnectionOutcome> {
    const outcome = await this.attempt(ctx, input);
    return outcome.ok ? { ok: true, remoteName: outcome.found.remoteName } : outcome;
  }

  /** "Test and save": saves only on success (a careslot connection as a share link, with its mirrors). */
  async testAndSave(ctx: RequestContext, input: ConnectionInput): Promise<ConnectionOutcome> {
    const admin = requireStaffRole(ctx, ADMIN_ONLY);
    const outcome = await this.attempt(ctx, input);
    if (!outcome.ok) return outcome;
    const { found } = outcome;
    const connection = await ctx.transaction(async (tx) => {
      const link = found.share && await this.links.save(ctx, tx, {
        centreId: input.centreId, label: `${found.share.centreName} (careslot)`, url: input.bookingUrl!, remoteCentreId: input.externalId!, token: input.apiKey!,
      }, found.share);
      // Another system's agenda stands here as the centre's external schedule; a careslot connection has its mirrors instead.
      const scheduleId = input.system === 'CARESLOT'
        ? await externalSchedulesRepository.retire(tx, input.centreId).then(() => null)
        : await externalSchedulesRepository.upsert(tx, input.centreId, input.externalId!.trim(), found.remoteName ?? bookingSystemOf(input.system).name);
      const apiKey = input.system === 'CARESLOT' ? undefined : input.apiKey?.trim() || undefined;
      const saved = await connectionsRepository.save(tx, {
        centreId: input.centreId, system: input.system, externalId: input.externalId?.trim() || null, externalDepartmentId: input.externalDepartmentId?.trim() || null,
        bookingUrl: input.bookingUrl?.trim() || null, apiKeyCiphertext: apiKey ? this.secrets.seal(apiKey) : null,
        apiKeyLast4: input.apiKey ? lastFour(input.apiKey.trim()) : null, linkId: link?.id ?? null, remoteName: found.remoteName, savedBy: holderOf(admin),
      });
      await recordAudit(ctx, tx, {
        action: 'booking-system-connection.saved', entityType: 'Centre', entityId: input.centreId, details: { system: input.system, linkId: link?.id ?? null, scheduleId },
      });
      return saved;
    });
    return { ok: true, remoteName: found.remoteName, connection };
  }

  /** One counted attempt: the fields checked first (a missing one costs no attempt), then the real connection. */
  private async attempt(ctx: RequestContext, input: ConnectionInput) {
    const admin = requireStaffRole(ctx, ADMIN_ONLY);
    if (!(await ctx.transaction((tx) => connectionsRepository.centreIdentity(tx, input.centreId)))) throw notFound('Centre');
    const missing = missingFields(bookingSystemOf(input.system), input);
    if (missing.length > 0) return { ok: false as const, problem: problem('MISSING_FIELD', missing[0], `${missing.join(', ')}`) };
    await this.limiter.begin(ctx, admin.userId, CONNECTION_TESTS);
    let outcome: Awaited<ReturnType<BookingSystemConnector['test']>> | undefined;
    try {
      outcome = await this.connectors.get(input.system)!.test(input);
    } finally {
      // Whatever happened, the attempt is finished: anything but success counts as a failure.
      await (outcome?.ok ? this.limiter.succeeded(ctx, admin.userId, CONNECTION_TESTS) : this.limiter.failed(ctx, admin.userId, CONNECTION_TESTS));
    }
    await ctx.transaction((tx) => recordAudit(ctx, tx, {
      action: 'booking-system-connection.tested', entityType: 'Centre', entityId: input.centreId,
      details: { system: input.system, ok: outcome.ok, problem: outcome.ok ? null : outcome.problem.code },
    }));
    return outcome;
  }
}
