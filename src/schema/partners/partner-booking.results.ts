import { createUnionType } from 'type-graphql';
import {
  BookAtExternalSystem, CentreOffline, FAILURE_TYPES, HoldExpired, InThePast, OffSlotGrid, OutsideOpeningHours, PatientNotFound, ServiceNotActivatedForPartner, ServiceNotOffered,
  SlotUnavailable,
} from '../scheduling/booking.results';
import { PartnerBooking } from './partner.types';

/** A booking for a partner, or why not: the failures of a local booking, and the partner door's own. */
export const BookForPartnerResult = createUnionType({
  name: 'BookForPartnerResult',
  types: () => [
    PartnerBooking, SlotUnavailable, OutsideOpeningHours, OffSlotGrid, InThePast, ServiceNotOffered, PatientNotFound,
    ServiceNotActivatedForPartner, CentreOffline, HoldExpired, BookAtExternalSystem,
  ] as const,
  resolveType: (value: object) => Object.values(FAILURE_TYPES).find((type) => value instanceof type)?.name ?? 'PartnerBooking',
});
