import type { AppointmentRow } from '../../services/scheduling/appointment.model';
import type { Page } from '../../services/common/pagination';
import type { PartnerRow } from '../../services/partners/partners.model';
import { Partner, PartnerBooking, PartnerBookingConnection, PartnerConnection, PartnerKindEnum } from '../../schema/partners/partner.types';
import { AppointmentOriginEnum, AppointmentStatusEnum } from '../../schema/scheduling/scheduling.enums';

export const toPartner = (row: PartnerRow): Partner => ({
  id: row.id, name: row.name, kind: row.kind as PartnerKindEnum, contactName: row.contactName, contactEmail: row.contactEmail,
  contactPhone: row.contactPhone, active: row.active, createdAt: row.createdAt,
});

export const toPartnerConnection = (page: Page<PartnerRow>): PartnerConnection => ({
  nodes: page.nodes.map(toPartner),
  pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor },
});

/** Only appointments booked for a partner reach here (the services filter by partner). */
export const toPartnerBooking = (row: AppointmentRow): PartnerBooking => ({
  id: row.id, partnerId: row.partnerId!, start: row.startsAt, end: row.endsAt, status: row.status as AppointmentStatusEnum,
  origin: row.origin as AppointmentOriginEnum, centreId: row.centreId, scheduleId: row.scheduleId, serviceId: row.serviceId,
  patientId: row.patientId, createdAt: row.createdAt,
  cancellation: row.cancellationCode ? { reasonCode: row.cancellationCode, reasonText: row.cancellationText } : null,
});

export const toPartnerBookingConnection = (page: Page<AppointmentRow>): PartnerBookingConnection => ({
  nodes: page.nodes.map(toPartnerBooking),
  pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor },
});
