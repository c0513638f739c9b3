import type https from 'node:https';
import type { Task } from 'graphile-worker';
import type { TenantDatabase } from '../../db/tenant-database';
import type { PeerHttpTransport } from '../../federation/peer-http-transport';
import { retryDelayMs } from '../../jobs/job-runner';
import type { Logger } from '../../platform/logger';
import type { SecretBox } from '../../platform/secret-box';
import { deliverySettingsOf } from './engagement-index-settings';
import type { DeliveryConfigRow } from './engagement-index.model';
import { MAX_TRANSACTIONS_PER_UPDATE, planUpdate, type EngagementTransaction } from './engagement-index.rules';
import { engagementIndexRepository as repo } from './engagement-index.sql';
import { readUpdateAnswer, updateEnvelope, UPDATE_SOAP_ACTION, type UpdateAnswer } from './update-message';

export const ENGAGEMENT_INDEX_DELIVERY = 'engagement-index-deliver';
/** Updates one job sends at most before it hands over to the next job (others' work goes meanwhile). */
const UPDATES_PER_JOB = 50;

export interface DeliveryOptions {
  database: TenantDatabase;
  transport: PeerHttpTransport;
  secrets: SecretBox;
  logger: Logger;
  timeoutMs: number;
  maxResponseBytes: number;
  retryBaseMs: number;
  retryMaxMs: number;
}

/**
 * Delivers a tenant's outbox to the engagement index, one Update of at most 1,000 transactions at
 * a time, in outbox order, one delivery per tenant at a time (an advisory lock), so the order per
 * key is kept. Each Update is planned from the appointments as they stand and what the index holds
 * (reconciliation, not replay): whatever happened in between, the index ends exactly right.
 * - OK (or INFO): the posts become what was sent.
 * - ResultCode ERROR: the appointments sent become dead letters with the index's message.
 * - A network error, a 5xx or a SOAP fault: nothing moves; the job comes back with backoff.
 * Neither personal numbers nor the client key are ever logged.
 */
export class EngagementIndexDelivery {
  private readonly agents = new Map<string, { version: number; agent: https.Agent }>();

  constructor(private readonly options: DeliveryOptions) {}

  /** The job queue's task: deliver, and on a failed attempt come back at the backoff's time. */
  task(): Task {
    return async (raw, helpers) => {
      const { tenantId } = raw as { tenantId: string };
      const outcome = await this.deliver(tenantId);
      if (outcome.retryAt || outcome.more) {
        await helpers.addJob(ENGAGEMENT_INDEX_DELIVERY, { tenantId }, { runAt: outcome.retryAt, jobKey: `${ENGAGEMENT_INDEX_DELIVERY}:${tenantId}` });
      }
    };
  }

  /** Sends what waits; answers when to try again after a failed attempt, or that more waits. */
  async deliver(tenantId: string): Promise<{ retryAt?: Date; more?: boolean }> {
    const { database } = this.options;
    return database.transaction(tenantId, async (lock) => {
      const [{ locked }] = await lock.query<{ locked: boolean }>(`SELECT pg_try_advisory_xact_lock(hashtextextended('engagement-index:' || $1, 0)) AS locked`, [tenantId]);
      if (!locked) return {};
      for (let update = 0; update < UPDATES_PER_JOB; update++) {
        const round = await database.transaction(tenantId, async (tx) => {
          const config = await repo.settings(tx);
          const settings = config?.enabled ? deliverySettingsOf(config) : undefined;
          return settings && { config: config!, settings, states: await repo.pending(tx, MAX_TRANSACTIONS_PER_UPDATE) };
        });
        if (!round || round.states.length === 0) return {};
        const { planned, transactions } = planUpdate(round.states, round.settings);
        const sent = planned.filter((entry) => entry.transactions.length > 0);
        const quiet = planned.filter((entry) => entry.transactions.length === 0);
        const answer: UpdateAnswer = transactions.length === 0 ? { kind: 'OK' } : await this.send(tenantId, round.config, transactions);
        if (answer.kind === 'RETRY') {
          const retryAt = new Date(Date.now() + retryDelayMs(round.config.failedAttempts, this.options.retryBaseMs, this.options.retryMaxMs));
          await database.transaction(tenantId, (tx) => repo.attemptFailed(tx, answer.reason, retryAt));
          this.options.logger.warn({ tenantId, transactions: transactions.length, reason: answer.reason.split(':')[0] }, 'engagement index update failed; retrying');
          return { retryAt };
        }
        await database.transaction(tenantId, async (tx) => {
          if (answer.kind === 'OK') {
            await repo.delivered(tx, {
              markerIds: planned.flatMap((entry) => entry.state.markerIds), appointmentIds: planned.map((entry) => entry.state.appointmentId),
              posts: sent.map((entry) => ({ appointmentId: entry.state.appointmentId, post: entry.desired })),
              requests: transactions.length > 0 ? 1 : 0, transactions: transactions.length,
            });
            return;
          }
          await repo.delivered(tx, {
            markerIds: quiet.flatMap((entry) => entry.state.markerIds), appointmentIds: quiet.map((entry) => entry.state.appointmentId),
            posts: [], requests: 0, transactions: 0,
          });
          await repo.deadLettered(tx, { markerIds: sent.flatMap((entry) => entry.state.markerIds), appointmentIds: sent.map((entry) => entry.state.appointmentId), reason: answer.comment });
        });
        if (transactions.length > 0) {
          this.options.logger.info({ tenantId, transactions: transactions.length, result: answer.kind }, 'engagement index update delivered');
        }
      }
      return { more: true };
    });
  }

  close(): void {
    for (const { agent } of this.agents.values()) agent.destroy();
    this.agents.clear();
  }

  private async send(tenantId: string, config: DeliveryConfigRow, transactions: EngagementTransaction[]): Promise<UpdateAnswer> {
    try {
      const answer = await this.options.transport.post({
        url: new URL(config.endpointUrl!),
        headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: `"${UPDATE_SOAP_ACTION}"` },
        body: updateEnvelope(config.endpointHsaId!, transactions),
        timeoutMs: this.options.timeoutMs, maxResponseBytes: this.options.maxResponseBytes,
        agent: this.agentFor(tenantId, config),
      });
      return readUpdateAnswer(answer.status, answer.body);
    } catch (error) {
      // Transport failures name a kind (TIMEOUT, TLS, UNREACHABLE…); a bad key or certificate is told as such.
      const failure = (error as { failure?: string }).failure;
      return { kind: 'RETRY', reason: failure ? `${failure}: ${(error as Error).message}` : 'CLIENT_CERTIFICATE: the client certificate or key cannot be used' };
    }
  }

  /** One kept-alive agent per tenant and configuration, presenting the tenant's client certificate. */
  private agentFor(tenantId: string, config: DeliveryConfigRow): https.Agent {
    const version = config.updatedAt.getTime();
    const cached = this.agents.get(tenantId);
    if (cached?.version === version) return cached.agent;
    cached?.agent.destroy();
    const agent = this.options.transport.tlsAgent({
      cert: config.clientCertificate!, key: this.options.secrets.open(config.clientKeyCiphertext!), ca: config.trustedCa ?? undefined,
    });
    this.agents.set(tenantId, { version, agent });
    return agent;
  }
}
