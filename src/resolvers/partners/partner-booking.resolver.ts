import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Authorized, Ctx, Info, Mutation, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../../context/request-context';
import type { Services } from '../../services';
import { Centre, Practitioner, Service } from '../../schema/catalog/catalog.types';
import {
  ActingPartnerArgs, BookForPartnerInput, PartnerAvailabilityArgs, PartnerBookingArgs, PartnerBookingsArgs, PartnerCentreArgs, PartnerOfferArgs,
  PartnerPatientArgs,
} from '../../schema/partners/partner.inputs';
import { BookForPartnerResult } from '../../schema/partners/partner-booking.results';
import { PartnerBooking, PartnerBookingConnection, PartnerPatient } from '../../schema/partners/partner.types';
import { Availability } from '../../schema/scheduling/availability.types';
import { toCentre, toPractitioner, toService } from '../catalog/catalog.mappers';
import { toAvailability, toBookingResult } from '../scheduling/scheduling.mappers';
import { selects } from '../selection';
import { toPartnerBooking, toPartnerBookingConnection } from './partners.mappers';

/** Partner apps, and users (staff or partner users) holding PARTNER_BOOKING: refused before their input is read. */
const PARTNER_DOORS = ['PARTNER_APP', 'PARTNER_BOOKING'] as const;

/**
 * Seed 001's flow, in its order, for staff with PARTNER_BOOKING (naming the partner), partner
 * users and partner apps: centres → qualifications → practitioners → services → green slots →
 * the patient → the booking; and the partner's own bookings.
 */
@Resolver()
export class PartnerBookingResolver {
  constructor(private readonly services: Services) {}

  @Authorized(...PARTNER_DOORS)
  @Query(() => [Centre], { description: '1. The centres where the partner has at least one activated service, by name (offline centres never).' })
  async partnerCentres(@Ctx() ctx: RequestContext, @Args() { partnerId }: ActingPartnerArgs): Promise<Centre[]> {
    return (await this.services.partnerBooking.centres(ctx, partnerId)).map(toCentre);
  }

  @Authorized(...PARTNER_DOORS)
  @Query(() => [String], { description: '2a. The qualifications of the practitioners performing the partner\'s activated services at the centre.' })
  async partnerQualifications(@Ctx() ctx: RequestContext, @Args() { partnerId, centreId }: PartnerCentreArgs): Promise<string[]> {
    return this.services.partnerBooking.qualifications(ctx, partnerId, centreId);
  }

  @Authorized(...PARTNER_DOORS)
  @Query(() => [Practitioner], { description: '2b. The practitioners (with the qualification, if given) performing the partner\'s activated services there.' })
  async partnerPractitioners(@Ctx() ctx: RequestContext, @Args() { partnerId, centreId, ...filter }: PartnerOfferArgs): Promise<Practitioner[]> {
    return (await this.services.partnerBooking.practitioners(ctx, partnerId, centreId, filter)).map(toPractitioner);
  }

  @Authorized(...PARTNER_DOORS)
  @Query(() => [Service], { description: '2c. The partner\'s activated services there (of the practitioner or qualification, if given).' })
  async partnerServices(@Ctx() ctx: RequestContext, @Args() { partnerId, centreId, ...filter }: PartnerOfferArgs): Promise<Service[]> {
    return (await this.services.partnerBooking.services(ctx, partnerId, centreId, filter)).map(toService);
  }

  @Authorized(...PARTNER_DOORS)
  @Query(() => Availability, { description: '3. The green slots of an activated service; the rest of the agenda only as OCCUPIED time. One SQL statement.' })
  async partnerAvailability(@Ctx() ctx: RequestContext, @Args() { partnerId, ...args }: PartnerAvailabilityArgs, @Info() info: GraphQLResolveInfo): Promise<Availability> {
    return toAvailability(await this.services.partnerBooking.availability(ctx, partnerId, { ...args, includeSlots: selects(info, ['schedules', 'slots']) }));
  }

  @Authorized(...PARTNER_DOORS)
  @Query(() => PartnerPatient, { nullable: true, description: '4. A patient by exact personal identity number and family name; null when none. Every look-up is audited.' })
  async partnerPatient(@Ctx() ctx: RequestContext, @Args() { partnerId, ...identity }: PartnerPatientArgs): Promise<PartnerPatient | null> {
    return this.services.partnerBooking.findPatient(ctx, partnerId, identity);
  }

  @Authorized(...PARTNER_DOORS)
  @Mutation(() => BookForPartnerResult, { description: '5. Books for the partner through its traffic channels. Expected failures come back as typed results.' })
  async bookForPartner(@Ctx() ctx: RequestContext, @Arg('input') { partnerId, ...request }: BookForPartnerInput): Promise<typeof BookForPartnerResult> {
    const outcome = await this.services.partnerBooking.book(ctx, partnerId, request);
    return (outcome.kind === 'BOOKED' ? toPartnerBooking(outcome.appointment) : toBookingResult(outcome)) as typeof BookForPartnerResult;
  }

  @Authorized(...PARTNER_DOORS)
  @Query(() => PartnerBookingConnection, { description: 'The partner\'s own bookings, by start, cursor-paginated.' })
  async partnerBookings(@Ctx() ctx: RequestContext, @Args() { partnerId, from, to, statuses, ...page }: PartnerBookingsArgs): Promise<PartnerBookingConnection> {
    return toPartnerBookingConnection(await this.services.partnerBooking.bookings(ctx, partnerId, { from, to, statuses }, page));
  }

  @Authorized(...PARTNER_DOORS)
  @Query(() => PartnerBooking, { description: 'One of the partner\'s own bookings; any other appointment is NOT_FOUND.' })
  async partnerBooking(@Ctx() ctx: RequestContext, @Args() { partnerId, id }: PartnerBookingArgs): Promise<PartnerBooking> {
    return toPartnerBooking(await this.services.partnerBooking.bookingOf(ctx, partnerId, id));
  }
}
