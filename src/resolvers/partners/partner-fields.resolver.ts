import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../context/request-context';
import type { Services } from '../../services';
import { partnerBookingRelations } from '../../services/partners/partner-booking.service';
import { Centre, Practitioner, Service } from '../../schema/catalog/catalog.types';
import { Viewer } from '../../schema/identity/identity.types';
import { Partner, PartnerBooking, PartnerPatient, ViewerCapabilities } from '../../schema/partners/partner.types';
import { Appointment } from '../../schema/scheduling/appointment.types';
import { toCentre, toPractitioner, toService } from '../catalog/catalog.mappers';
import { toPartner } from './partners.mappers';

/** What a partner's booking refers to, batched per request; the patient only as a partner sees it. */
@Resolver(() => PartnerBooking)
export class PartnerBookingFieldsResolver {
  @FieldResolver(() => Centre)
  async centre(@Root() booking: PartnerBooking, @Ctx() ctx: RequestContext): Promise<Centre> {
    return toCentre((await partnerBookingRelations.centreOf(ctx, booking))!);
  }

  @FieldResolver(() => Service)
  async service(@Root() booking: PartnerBooking, @Ctx() ctx: RequestContext): Promise<Service> {
    return toService((await partnerBookingRelations.serviceOf(ctx, booking))!);
  }

  @FieldResolver(() => Practitioner, { nullable: true })
  async practitioner(@Root() booking: PartnerBooking, @Ctx() ctx: RequestContext): Promise<Practitioner | null> {
    const practitioner = await partnerBookingRelations.practitionerOf(ctx, booking);
    return practitioner ? toPractitioner(practitioner) : null;
  }

  @FieldResolver(() => PartnerPatient, { nullable: true })
  async patient(@Root() booking: PartnerBooking, @Ctx() ctx: RequestContext): Promise<PartnerPatient | null> {
    return (await partnerBookingRelations.patientOf(ctx, booking)) ?? null;
  }
}

/** The partner a staff user sees on an appointment booked for one (seed 001: flagged, and filterable). */
@Resolver(() => Appointment)
export class AppointmentPartnerFieldsResolver {
  constructor(private readonly services: Services) {}

  @FieldResolver(() => Partner, { nullable: true, description: 'The partner it was booked for (origin PARTNER_BOOKING or PARTNER_APP).' })
  async partner(@Root() appointment: Appointment, @Ctx() ctx: RequestContext): Promise<Partner | null> {
    const partner = appointment.partnerId ? await this.services.partners.find(ctx, appointment.partnerId) : undefined;
    return partner ? toPartner(partner) : null;
  }
}

/** What the caller may do with partners, for a front end's "Book to partner" tile. */
@Resolver(() => Viewer)
export class ViewerPartnerFieldsResolver {
  constructor(private readonly services: Services) {}

  @FieldResolver(() => ViewerCapabilities)
  async can(@Ctx() ctx: RequestContext): Promise<ViewerCapabilities> {
    const partners = await this.services.partners.bookableFor(ctx);
    return { bookForPartners: partners.length > 0, partners: partners.map(toPartner) };
  }

  @FieldResolver(() => Partner, { nullable: true, description: 'The partner a partner user or app stands for; null for staff and peers.' })
  async partner(@Ctx() ctx: RequestContext): Promise<Partner | null> {
    const partner = await this.services.partners.ownPartner(ctx);
    return partner ? toPartner(partner) : null;
  }
}
