import DataLoader from 'dataloader';
import { ownPartnerOf } from '../../context/principal';
import type { RequestContext } from '../../context/request-context';
import { notFound } from '../../platform/errors';
import { actingPartnerOf, type ActingPartner } from '../common/acting-partner';
import { recordAudit } from '../common/audit-log.sql';
import { foundRows } from '../common/loaders';
import { centreLoader, practitionerLoader, scheduleLoader, serviceLoader } from '../catalog/catalog.loaders';
import type { CentreRow, MedicalServiceRow, PractitionerRow } from '../catalog/catalog.model';
import { centresRepository } from '../catalog/centres.sql';
import type { AppointmentFilter, AppointmentRow, BookInput, HoldOutcome } from '../scheduling/appointment.model';
import type { AppointmentsQueryService } from '../scheduling/appointments-query.service';
import type { Page, PageRequest } from '../common/pagination';
import type { BookingService } from '../scheduling/booking.service';
import type { AvailabilityFilter } from '../scheduling/availability.model';
import type { AvailabilityService, CentreAvailability } from '../scheduling/availability.service';
import type { PartnerOfferRow, PartnerPatientRow } from './partners.model';
import { partnerBookingRepository } from './partner-booking.sql';
import { partnerLoader } from './partners.service';

/** Narrows a centre's offers step by step, as the flow does: qualification, then practitioner. */
export interface OfferFilter {
  qualification?: string;
  practitionerId?: string;
}

/**
 * Who the caller acts for, and that the partner a staff user names exists in the tenant (another
 * tenant's is NOT_FOUND). A partner user's or app's own partner was found active when its token was.
 */
async function actingFor(ctx: RequestContext, partnerId: string | undefined): Promise<ActingPartner> {
  const acting = actingPartnerOf(ctx.caller, partnerId);
  const named = ownPartnerOf(ctx.caller) === undefined;
  if (named && !(await partnerLoader(ctx).load(acting.partnerId))) throw notFound('Partner');
  return acting;
}

const byName = <Row extends { name: string; id: string }>(a: Row, b: Row) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id);

/**
 * Seed 001's flow for whoever acts for a partner (staff with PARTNER_BOOKING, a partner user, a
 * partner app): centres → qualifications → practitioners → services, each limited to the
 * partner's open traffic channels; the patient found by exact identity; then the one booking path.
 */
export class PartnerBookingService {
  constructor(
    private readonly booking: BookingService,
    private readonly availabilityOf: AvailabilityService,
    private readonly appointments: AppointmentsQueryService,
  ) {}

  async centres(ctx: RequestContext, partnerId: string | undefined): Promise<CentreRow[]> {
    const acting = await actingFor(ctx, partnerId);
    const ids = await ctx.singleStatement((tx) => partnerBookingRepository.centreIds(tx, acting.partnerId));
    return foundRows(centreLoader(ctx), ids);
  }

  async qualifications(ctx: RequestContext, partnerId: string | undefined, centreId: string): Promise<string[]> {
    const offers = await this.offers(ctx, partnerId, centreId);
    return [...new Set(offers.flatMap((offer) => offer.qualifications))].sort();
  }

  async practitioners(ctx: RequestContext, partnerId: string | undefined, centreId: string, filter: OfferFilter): Promise<PractitionerRow[]> {
    const offers = narrowed(await this.offers(ctx, partnerId, centreId), filter);
    const ids = [...new Set(offers.flatMap((offer) => (offer.practitionerId ? [offer.practitionerId] : [])))];
    return (await foundRows(practitionerLoader(ctx), ids)).sort(byName);
  }

  async services(ctx: RequestContext, partnerId: string | undefined, centreId: string, filter: OfferFilter): Promise<MedicalServiceRow[]> {
    const offers = narrowed(await this.offers(ctx, partnerId, centreId), filter);
    const ids = [...new Set(offers.map((offer) => offer.serviceId))];
    return (await foundRows(serviceLoader(ctx), ids)).sort(byName);
  }

  /**
   * Step 4: a patient by exact personal identity number together with the family name, and only
   * what booking needs. Every look-up is audited, found or not (who asked, for which partner).
   */
  async findPatient(ctx: RequestContext, partnerId: string | undefined, identity: { personalIdentityNumber: string; familyName: string }): Promise<PartnerPatientRow | null> {
    const acting = await actingFor(ctx, partnerId);
    return ctx.transaction(async (tx) => {
      const patient = await partnerBookingRepository.findPatient(tx, identity.personalIdentityNumber.trim(), identity.familyName.trim());
      await recordAudit(ctx, tx, {
        action: 'partner.patient-looked-up', entityType: 'Patient', entityId: patient?.id,
        details: { partnerId: acting.partnerId, found: patient !== undefined },
      });
      return patient ?? null;
    });
  }

  /** The partner's own bookings (the partner named must exist in the tenant). */
  async bookings(ctx: RequestContext, partnerId: string | undefined, filter: AppointmentFilter, page: PageRequest): Promise<Page<AppointmentRow>> {
    const acting = await actingFor(ctx, partnerId);
    return this.appointments.partnerBookings(ctx, acting.partnerId, filter, page);
  }

  async bookingOf(ctx: RequestContext, partnerId: string | undefined, appointmentId: string): Promise<AppointmentRow> {
    const acting = await actingFor(ctx, partnerId);
    return this.appointments.partnerBooking(ctx, acting.partnerId, appointmentId);
  }

  /** Step 5: the one booking path, through the partner door (its policy is checked in the booking statement). */
  book(ctx: RequestContext, partnerId: string | undefined, request: Omit<BookInput, 'partnerId'>): Promise<HoldOutcome> {
    const acting = actingPartnerOf(ctx.caller, partnerId);
    return this.booking.bookInput(ctx, { ...request, partnerId: acting.partnerId });
  }

  /** Step 3: the green slots of one service, through the partner's open channels (availability's one statement). */
  async availability(ctx: RequestContext, partnerId: string | undefined, filter: AvailabilityFilter & { serviceId: string }): Promise<CentreAvailability> {
    const acting = await actingFor(ctx, partnerId);
    return this.availabilityOf.partnerAvailability(ctx, acting.partnerId, filter);
  }

  private async offers(ctx: RequestContext, partnerId: string | undefined, centreId: string): Promise<PartnerOfferRow[]> {
    const acting = await actingFor(ctx, partnerId);
    const offers = await ctx.singleStatement((tx) => partnerBookingRepository.offers(tx, acting.partnerId, centreId));
    if (offers.length === 0 && !(await ctx.singleStatement((tx) => centresRepository.exists(tx, centreId)))) throw notFound('Centre');
    return offers;
  }
}

function narrowed(offers: PartnerOfferRow[], filter: OfferFilter): PartnerOfferRow[] {
  return offers.filter((offer) => (!filter.qualification || offer.qualifications.includes(filter.qualification))
    && (!filter.practitionerId || offer.practitionerId === filter.practitionerId));
}

const AUDITED_PATIENTS = Symbol('patients read through partner bookings');

/**
 * Patients read through partner bookings, keyed by [partner, patient]: each batch is read and
 * audited in one transaction, one record per partner (who read which patients, for which partner).
 */
function auditedPatientLoader(ctx: RequestContext): DataLoader<string, PartnerPatientRow | undefined> {
  return ctx.memoize(AUDITED_PATIENTS, () => new DataLoader<string, PartnerPatientRow | undefined>(async (keys) => {
    const pairs = keys.map((key) => JSON.parse(key) as [string, string]);
    const rows = await ctx.transaction(async (tx) => {
      const found = await partnerBookingRepository.patientsByIds(tx, [...new Set(pairs.map(([, patientId]) => patientId))]);
      const foundIds = new Set(found.map((row) => row.id));
      for (const partnerId of new Set(pairs.map(([partner]) => partner))) {
        const patientIds = [...new Set(pairs.filter(([partner, patient]) => partner === partnerId && foundIds.has(patient)).map(([, patient]) => patient))];
        await recordAudit(ctx, tx, { action: 'partner.patients-read', entityType: 'Patient', details: { partnerId, patientIds } });
      }
      return found;
    });
    const byId = new Map(rows.map((row) => [row.id, row]));
    return pairs.map(([, patientId]) => byId.get(patientId));
  }));
}

/**
 * What hangs off a partner's booking, batched per request. No rights check: whoever holds the
 * booking was allowed to read it; the patient comes as a partner sees it (names and id only).
 */
export const partnerBookingRelations = {
  async centreOf(ctx: RequestContext, booking: { centreId: string }): Promise<CentreRow | undefined> {
    return centreLoader(ctx).load(booking.centreId);
  },

  async serviceOf(ctx: RequestContext, booking: { serviceId: string }): Promise<MedicalServiceRow | undefined> {
    return serviceLoader(ctx).load(booking.serviceId);
  },

  async practitionerOf(ctx: RequestContext, booking: { scheduleId: string }): Promise<PractitionerRow | undefined> {
    const schedule = await scheduleLoader(ctx).load(booking.scheduleId);
    return schedule?.practitionerId ? practitionerLoader(ctx).load(schedule.practitionerId) : undefined;
  },

  patientOf(ctx: RequestContext, booking: { partnerId: string; patientId: string | null }): Promise<PartnerPatientRow | undefined> {
    return booking.patientId ? auditedPatientLoader(ctx).load(JSON.stringify([booking.partnerId, booking.patientId])) : Promise.resolve(undefined);
  },
};
