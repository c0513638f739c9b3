import { Arg, Authorized, Ctx, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../../context/request-context';
import type { Services } from '../../services';
import { ADMIN_ONLY } from '../../services/common/access';
import { certificateSummary } from '../../services/engagement-index/engagement-index-settings';
import { SERVICE_DOMAIN } from '../../services/engagement-index/engagement-index.rules';
import type { EngagementIndexConfiguration as ConfigurationRow, EngagementIndexStatus as StatusRow } from '../../services/engagement-index/engagement-index.service';
import {
  ConfigureEngagementIndexInput, EngagementIndexConfiguration, EngagementIndexContractVersionEnum, EngagementIndexStatus, ResendEngagementIndexInput, RetryEngagementIndexInput,
} from '../../schema/engagement-index/engagement-index.types';

const toConfiguration = (row: ConfigurationRow): EngagementIndexConfiguration => ({
  enabled: row.enabled, centreIds: row.centreIds, sourceSystemHsaId: row.sourceSystem, dataController: row.dataController,
  endpointUrl: row.endpointUrl, endpointHsaId: row.endpointHsaId, clientCertificate: certificateSummary(row.clientCertificate),
  clientKeySet: row.clientKeySet, trustedCaSet: row.trustedCa !== null, contractVersion: row.contractVersion as EngagementIndexContractVersionEnum,
  serviceDomain: SERVICE_DOMAIN[row.contractVersion], missingFields: row.missingFields, updatedAt: row.updatedAt,
});

const toStatus = (row: StatusRow): EngagementIndexStatus => ({
  enabled: row.enabled, missingFields: row.missingFields,
  pending: { appointments: row.pendingAppointments, since: row.pendingSince, failedAttempts: row.failedAttempts, retryAt: row.retryAt, lastError: row.lastError, lastErrorAt: row.lastErrorAt },
  delivered: { posts: row.posts, requests: row.deliveredRequests, transactions: row.deliveredTransactions, lastDeliveredAt: row.lastDeliveredAt },
  failed: { count: row.failedCount, items: row.failures },
  skipped: { withoutPersonalNumber: row.skippedWithoutPersonalNumber, anonymous: row.skippedAnonymous },
});

/** Seed 003: the national engagement index's configuration, status, dead-letter retry and resend (ADMIN). */
@Resolver()
export class EngagementIndexResolver {
  constructor(private readonly services: Services) {}

  @Authorized(...ADMIN_ONLY)
  @Query(() => EngagementIndexConfiguration, { nullable: true, description: 'The tenant\'s engagement-index configuration (null: never configured).' })
  async engagementIndexConfiguration(@Ctx() ctx: RequestContext): Promise<EngagementIndexConfiguration | null> {
    const row = await this.services.engagementIndex.configuration(ctx);
    return row && toConfiguration(row);
  }

  @Authorized(...ADMIN_ONLY)
  @Mutation(() => EngagementIndexConfiguration, { description: 'Saves the configuration. Enabling without a required field is BAD_USER_INPUT naming each missing field.' })
  async configureEngagementIndex(@Ctx() ctx: RequestContext, @Arg('input') input: ConfigureEngagementIndexInput): Promise<EngagementIndexConfiguration> {
    return toConfiguration(await this.services.engagementIndex.configure(ctx, input));
  }

  @Authorized(...ADMIN_ONLY)
  @Query(() => EngagementIndexStatus, { description: 'Pending, delivered and failed engagement-index work, with reasons and counts.' })
  async engagementIndexStatus(@Ctx() ctx: RequestContext): Promise<EngagementIndexStatus> {
    return toStatus(await this.services.engagementIndex.status(ctx));
  }

  @Authorized(...ADMIN_ONLY)
  @Mutation(() => Int, { description: 'Sends the failed (dead-letter) appointments again, as they stand now; answers how many were queued.' })
  retryEngagementIndexFailures(@Ctx() ctx: RequestContext, @Arg('input') input: RetryEngagementIndexInput): Promise<number> {
    return this.services.engagementIndex.retryFailed(ctx, input.appointmentIds ?? null);
  }

  @Authorized(...ADMIN_ONLY)
  @Mutation(() => Int, { description: 'Re-sends every eligible future booking of a centre that takes part; answers how many appointments were queued.' })
  resendEngagementIndex(@Ctx() ctx: RequestContext, @Arg('input') input: ResendEngagementIndexInput): Promise<number> {
    return this.services.engagementIndex.resend(ctx, input.centreId);
  }
}
