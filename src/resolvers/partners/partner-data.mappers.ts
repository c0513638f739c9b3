import type { AccessLogRow, DataAccessRow, FeedPage, SharedAppointment as SharedAppointmentRow } from '../../services/partners/partner-feed.model';
import type { FeedEvent } from '../../services/partners/partner-feed.service';
import type { NotificationOutcome } from '../../services/partners/partner-actions.service';
import type { Page } from '../../services/common/pagination';
import { AppointmentStatusEnum } from '../../schema/scheduling/scheduling.enums';
import {
  DataAccessStateEnum, FeedChangeKindEnum, FeedEntityEnum, NotificationChannelEnum, NotificationNotAllowed, NotificationPurposeEnum, PartnerAccessLogConnection,
  PartnerAppointmentChange, PartnerDataAccess, PartnerFeedPage, PartnerNotification, RemovalReasonEnum, SharedAppointment,
} from '../../schema/partners/partner-data.types';

export const toPartnerDataAccess = (row: DataAccessRow): PartnerDataAccess => ({
  partnerId: row.partnerId, state: row.state as DataAccessStateEnum, openedAt: row.openedAt, beginsAt: row.beginsAt, closedAt: row.closedAt,
});

const toSharedAppointment = (row: SharedAppointmentRow): SharedAppointment => ({ ...row, status: row.status as AppointmentStatusEnum });

export function toPartnerAppointmentChange(event: FeedEvent): PartnerAppointmentChange {
  switch (event.kind) {
    case 'UPSERT':
      return { kind: FeedChangeKindEnum.UPSERT, cursor: event.cursor, appointment: toSharedAppointment(event.appointment), removed: null };
    case 'REMOVE':
      return {
        kind: FeedChangeKindEnum.REMOVE, cursor: event.cursor, appointment: null,
        removed: { entity: event.entity as FeedEntityEnum, id: event.id, patientId: event.patientId, reason: event.reason as RemovalReasonEnum },
      };
    default:
      return { kind: event.kind as FeedChangeKindEnum, cursor: event.cursor, appointment: null, removed: null };
  }
}

export const toPartnerFeedPage = (page: FeedPage): PartnerFeedPage => ({
  access: toPartnerDataAccess(page.access), changes: page.changes.map(toPartnerAppointmentChange), cursor: page.cursor, hasMore: page.hasMore, reset: page.reset,
});

export function toRecordNotificationResult(outcome: NotificationOutcome): object {
  if (outcome.kind === 'NOT_ALLOWED') return Object.assign(new NotificationNotAllowed(), { message: 'The patient\'s consents no longer allow partners to notify them' });
  const row = outcome.notification;
  return Object.assign(new PartnerNotification(), {
    id: row.id, appointmentId: row.appointmentId, channel: row.channel as NotificationChannelEnum, purpose: row.purpose as NotificationPurposeEnum,
    sentAt: row.sentAt, recordedAt: row.recordedAt,
  });
}

export const toPartnerAccessLogConnection = (page: Page<AccessLogRow>): PartnerAccessLogConnection => ({
  nodes: page.nodes.map((row) => ({
    id: row.id, occurredAt: row.occurredAt, action: row.action, actorKind: row.actorKind, actorId: row.actorId,
    credentialIds: row.details.credentialIds ?? [], appointmentIds: row.details.appointmentIds ?? [], patientIds: row.details.patientIds ?? [],
  })),
  pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor },
});
