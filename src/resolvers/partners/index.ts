import { BookingStatisticsResolver } from './booking-statistics.resolver';
import { PartnerBookingResolver } from './partner-booking.resolver';
import { AppointmentPartnerFieldsResolver, PartnerBookingFieldsResolver, ViewerPartnerFieldsResolver } from './partner-fields.resolver';
import { PartnersResolver } from './partners.resolver';
import { PartnerDataResolver } from './partner-data.resolver';
import { TrafficChannelsResolver } from './traffic-channels.resolver';

export const PARTNER_RESOLVERS = [
  PartnersResolver, TrafficChannelsResolver, PartnerBookingResolver, PartnerBookingFieldsResolver, AppointmentPartnerFieldsResolver,
  ViewerPartnerFieldsResolver, BookingStatisticsResolver, PartnerDataResolver,
] as const;
