import { Arg, Args, Authorized, Ctx, Extensions, Mutation, Query, Resolver, Root, Subscription, type SubscribeResolverData } from 'type-graphql';
import { FLAT_PAGE } from '../../schema/cost-hints';
import type { RequestContext } from '../../context/request-context';
import type { Services } from '../../services';
import type { FeedEvent } from '../../services/partners/partner-feed.service';
import { skipValidation } from '../../schema/validate-argument';
import { Appointment } from '../../schema/scheduling/appointment.types';
import {
  PartnerAccessLogArgs, PartnerCancelInput, PartnerConfirmInput, PartnerDataAccessArgs, PartnerFeedArgs, PartnerFeedStreamArgs, PartnerIdInput,
  PartnerPostponeInput, RecordPartnerNotificationInput,
} from '../../schema/partners/partner-data.inputs';
import {
  PartnerAccessLogConnection, PartnerAppointmentChange, PartnerDataAccess, PartnerFeedPage, PartnerPostponeResult, RecordNotificationResult,
} from '../../schema/partners/partner-data.types';
import { servicesOf } from '../schema-services';
import { toAppointment, toBookingResult } from '../scheduling/scheduling.mappers';
import {
  toPartnerAccessLogConnection, toPartnerAppointmentChange, toPartnerDataAccess, toPartnerFeedPage, toRecordNotificationResult,
} from './partner-data.mappers';

const PARTNERS = ['PARTNER_APP', 'PARTNER_USER'] as const;

/** Seed 002: a clinic head opens the tenant's data to a partner; the partner reads the shared set as a feed and acts on it. */
@Resolver()
export class PartnerDataResolver {
  constructor(private readonly services: Services) {}

  @Authorized('CLINIC_HEAD')
  @Mutation(() => PartnerDataAccess, { description: 'Opens the tenant\'s patient and appointment data to a partner (CLINIC_HEAD). Data flows from 24 hours after; reopening after a close starts a new wait.' })
  async openPartnerDataAccess(@Ctx() ctx: RequestContext, @Arg('input') input: PartnerIdInput): Promise<PartnerDataAccess> {
    return toPartnerDataAccess(await this.services.partnerDataAccess.open(ctx, input.partnerId));
  }

  @Authorized('CLINIC_HEAD')
  @Mutation(() => PartnerDataAccess, { description: 'Closes a partner\'s data access at once: queries, live feeds and actions (CLINIC_HEAD).' })
  async closePartnerDataAccess(@Ctx() ctx: RequestContext, @Arg('input') input: PartnerIdInput): Promise<PartnerDataAccess> {
    return toPartnerDataAccess(await this.services.partnerDataAccess.close(ctx, input.partnerId));
  }

  @Authorized('CLINIC_HEAD', 'ADMIN', ...PARTNERS)
  @Query(() => PartnerDataAccess, { description: 'A partner\'s data access: CLOSED, PENDING (until beginsAt) or OPEN.' })
  async partnerDataAccess(@Ctx() ctx: RequestContext, @Args() args: PartnerDataAccessArgs): Promise<PartnerDataAccess> {
    return toPartnerDataAccess(await this.services.partnerDataAccess.accessOf(ctx, args.partnerId));
  }

  @Authorized(...PARTNERS)
  // Pages of up to 500 for a sync: one statement reads them, and every change is plain fields of its row.
  @Extensions({ [FLAT_PAGE]: true })
  @Query(() => PartnerFeedPage, { description: 'The shared appointments and patients after a cursor (the whole set without one), with tombstones. Follow hasMore, keep the cursor.' })
  async partnerAppointments(@Ctx() ctx: RequestContext, @Args() args: PartnerFeedArgs): Promise<PartnerFeedPage> {
    return toPartnerFeedPage(await this.services.partnerFeed.page(ctx, args.after, args.first));
  }

  @Authorized(...PARTNERS)
  @Subscription(() => PartnerAppointmentChange, {
    description: 'Replays the changes after a cursor (the whole set without one), then goes live. Ends with ACCESS_CLOSED when access is closed.',
    subscribe: ({ args, context, info }: SubscribeResolverData<unknown, PartnerFeedStreamArgs, RequestContext>) =>
      servicesOf(info.schema).partnerFeed.stream(context, args.after ?? undefined),
  })
  partnerAppointmentChanged(@Root() event: FeedEvent, @Args({ validateFn: skipValidation }) _args: PartnerFeedStreamArgs): PartnerAppointmentChange {
    return toPartnerAppointmentChange(event);
  }

  @Authorized(...PARTNERS)
  @Mutation(() => Appointment, { description: 'Confirms an appointment shared with you.' })
  async partnerConfirmAppointment(@Ctx() ctx: RequestContext, @Arg('input') input: PartnerConfirmInput): Promise<Appointment> {
    return toAppointment(await this.services.partnerActions.confirm(ctx, input));
  }

  @Authorized(...PARTNERS)
  @Mutation(() => Appointment, { description: 'Cancels an appointment shared with you, with a reason.' })
  async partnerCancelAppointment(@Ctx() ctx: RequestContext, @Arg('input') input: PartnerCancelInput): Promise<Appointment> {
    return toAppointment(await this.services.partnerActions.cancel(ctx, input));
  }

  @Authorized(...PARTNERS)
  @Mutation(() => PartnerPostponeResult, { description: 'Moves an appointment shared with you to a free start of the same schedule.' })
  async partnerPostponeAppointment(@Ctx() ctx: RequestContext, @Arg('input') input: PartnerPostponeInput): Promise<typeof PartnerPostponeResult> {
    return toBookingResult(await this.services.partnerActions.postpone(ctx, input)) as typeof PartnerPostponeResult;
  }

  @Authorized(...PARTNERS)
  @Mutation(() => RecordNotificationResult, { description: 'Records a notification you sent the patient of a shared appointment; refused when their consents no longer allow it.' })
  async recordPartnerNotification(@Ctx() ctx: RequestContext, @Arg('input') input: RecordPartnerNotificationInput): Promise<typeof RecordNotificationResult> {
    return toRecordNotificationResult(await this.services.partnerActions.recordNotification(ctx, input)) as typeof RecordNotificationResult;
  }

  @Authorized('CLINIC_HEAD', 'ADMIN')
  @Query(() => PartnerAccessLogConnection, { description: 'Every audited partner-data event of a partner in [from, to): reads (which appointments and patients, which credential), openings, closings.' })
  async partnerAccessLog(@Ctx() ctx: RequestContext, @Args() args: PartnerAccessLogArgs): Promise<PartnerAccessLogConnection> {
    return toPartnerAccessLogConnection(await this.services.partnerDataAccess.accessLog(ctx, args.partnerId, { from: args.from, to: args.to }, args));
  }
}
