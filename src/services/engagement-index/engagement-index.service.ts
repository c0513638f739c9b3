import type { RequestContext } from '../../context/request-context';
import { badInput, notFound } from '../../platform/errors';
import type { SecretBox } from '../../platform/secret-box';
import { ADMIN_ONLY, requireStaffRole } from '../common/access';
import { recordAudit } from '../common/audit-log.sql';
import { holderOf } from '../scheduling/holder';
import { configurationProblems, mergeSettings, missingFields, type EngagementIndexChange } from './engagement-index-settings';
import type { SettingsRow, StatusRow } from './engagement-index.model';
import { engagementIndexRepository as repo } from './engagement-index.sql';

export interface EngagementIndexConfiguration extends SettingsRow {
  missingFields: string[];
}

export interface EngagementIndexStatus extends StatusRow {
  enabled: boolean;
  missingFields: string[];
}

const FAILURES_SHOWN = 100;
const NOT_CONFIGURED: Omit<SettingsRow, 'updatedAt'> = {
  enabled: false, centreIds: [], sourceSystem: null, dataController: null, endpointUrl: null, endpointHsaId: null,
  clientCertificate: null, clientKeySet: false, trustedCa: null, contractVersion: '1.1',
};

/**
 * Seed 003 for admins: the tenant's engagement-index configuration (validated, the client key
 * sealed and never returned), the delivery's status, retrying dead letters and resending a
 * centre's bookings. Delivery itself is EngagementIndexDelivery's, fed by the outbox.
 */
export class EngagementIndexService {
  constructor(private readonly secrets: SecretBox) {}

  async configuration(ctx: RequestContext): Promise<EngagementIndexConfiguration | null> {
    requireStaffRole(ctx, ADMIN_ONLY);
    const row = await ctx.transaction((tx) => repo.settings(tx));
    return row ? shown(row) : null;
  }

  /**
   * Saves a change; enabling without what a delivery needs is refused naming each missing field,
   * and nothing is left behind. While enabled, every booking the index may have to hear about is
   * queued for reconciliation (a new centre's bookings, a changed key field's deletes and creates).
   */
  async configure(ctx: RequestContext, change: EngagementIndexChange): Promise<EngagementIndexConfiguration> {
    const admin = requireStaffRole(ctx, ADMIN_ONLY);
    const saved = await ctx.transaction(async (tx) => {
      const current = await repo.settings(tx);
      const merged = mergeSettings(current, change);
      const currentKey = current?.clientKeyCiphertext ? this.secrets.open(current.clientKeyCiphertext) : null;
      const problems = configurationProblems(merged, currentKey, await repo.centres(tx, merged.centreIds));
      if (problems.length > 0) throw badInput(problems, 'The engagement index configuration is incomplete or invalid');
      const clientKeyCiphertext = 'keep' in merged.clientKey ? current?.clientKeyCiphertext ?? null : merged.clientKey.pem ? this.secrets.seal(merged.clientKey.pem) : null;
      const row = await repo.save(tx, { ...merged, clientKeyCiphertext, updatedBy: holderOf(admin) });
      const queued = row.enabled ? await repo.queueReconciliation(tx, { resend: false }) : 0;
      await recordAudit(ctx, tx, {
        action: 'engagement-index.configured', entityType: 'EngagementIndex',
        details: { enabled: row.enabled, centres: row.centreIds.length, contractVersion: row.contractVersion, clientKeyChanged: !('keep' in merged.clientKey), queued },
      });
      return row;
    });
    return shown(saved);
  }

  async status(ctx: RequestContext): Promise<EngagementIndexStatus> {
    requireStaffRole(ctx, ADMIN_ONLY);
    return ctx.transaction(async (tx) => {
      const settings = await repo.settings(tx);
      const status = await repo.status(tx, FAILURES_SHOWN);
      return { ...status, enabled: settings?.enabled ?? false, missingFields: missingFields(settings ?? NOT_CONFIGURED) };
    });
  }

  /** The dead letters (all, or these appointments') go back to the outbox; answers how many. */
  async retryFailed(ctx: RequestContext, appointmentIds: string[] | null): Promise<number> {
    requireStaffRole(ctx, ADMIN_ONLY);
    return ctx.transaction(async (tx) => {
      const queued = await repo.retryFailures(tx, appointmentIds);
      await recordAudit(ctx, tx, { action: 'engagement-index.failures-retried', entityType: 'EngagementIndex', details: { queued } });
      return queued;
    });
  }

  /** Re-sends every eligible future booking of a centre that takes part (the index takes it twice without harm). */
  async resend(ctx: RequestContext, centreId: string): Promise<number> {
    requireStaffRole(ctx, ADMIN_ONLY);
    return ctx.transaction(async (tx) => {
      const settings = await repo.settings(tx);
      if ((await repo.centres(tx, [centreId])).length === 0) throw notFound('Centre');
      if (!settings?.centreIds.includes(centreId)) throw badInput([{ field: 'input.centreId', problems: ['the centre does not take part in the engagement index'] }]);
      const queued = await repo.queueReconciliation(tx, { centreId, resend: true });
      await recordAudit(ctx, tx, { action: 'engagement-index.resent', entityType: 'Centre', entityId: centreId, details: { queued } });
      return queued;
    });
  }
}

function shown(row: SettingsRow & { clientKeyCiphertext?: unknown; failedAttempts?: unknown }): EngagementIndexConfiguration {
  const { clientKeyCiphertext: _sealed, failedAttempts: _attempts, ...visible } = row;
  return { ...visible, missingFields: missingFields(row) };
}
