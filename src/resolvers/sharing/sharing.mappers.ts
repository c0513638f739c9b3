import type { PeerBookOutcome, PeerCancelOutcome, PeerHoldOutcome, PeerRescheduleOutcome, PeerOccupancyEvent as PeerOccupancyEventRow, PeerScheduleAvailability as PeerAvailabilityRow, PeerShareInfo, ShareRefusal } from '../../federation/peer-protocol';
import { displayPrefixOf } from '../../platform/opaque-token';
import type { Page } from '../../services/common/pagination';
import type { CreatedShare, ShareView } from '../../services/sharing/shares.model';
import { SlotStateEnum } from '../../schema/scheduling/scheduling.enums';
import {
  PeerBooking, PeerCancellation, PeerHold, PeerOccupancyEvent, PeerScheduleAvailability, PeerShare, ShareRefused,
} from '../../schema/sharing/peer.types';
import { CreatedScheduleShare, ScheduleShare, ScheduleShareConnection } from '../../schema/sharing/share.types';
import { PeerCancelStatusEnum, PeerOccupancyKindEnum, ShareRefusalEnum } from '../../schema/sharing/sharing.enums';
import { toBookingResult } from '../scheduling/scheduling.mappers';

export const toScheduleShare = (share: ShareView): ScheduleShare => ({
  id: share.id, centreId: share.centreId, label: share.label, scheduleIds: share.scheduleIds, restrictions: share.restrictions,
  displayPrefix: displayPrefixOf('shareLink', share.id), serverUrl: share.serverUrl, active: share.revokedAt === null,
  revokedAt: share.revokedAt, tokenRotatedAt: share.tokenRotatedAt, createdAt: share.createdAt, updatedAt: share.updatedAt,
});

export const toScheduleShareConnection = (page: Page<ShareView>): ScheduleShareConnection => ({
  nodes: page.nodes.map(toScheduleShare),
  pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor },
});

export const toCreatedScheduleShare = (created: CreatedShare): CreatedScheduleShare => ({
  share: toScheduleShare(created.share), token: created.token, serverUrl: created.serverUrl, centreId: created.centreId,
});

export const toPeerShare = (info: PeerShareInfo): PeerShare => ({ ...info });

export const toPeerScheduleAvailability = (row: PeerAvailabilityRow): PeerScheduleAvailability => ({
  scheduleId: row.scheduleId,
  free: row.free.map(([start, end]) => ({ start, end })),
  occupied: row.occupied.map(([start, end]) => ({ start, end })),
  slots: row.slots && row.slots.map(([start, end, state]) => ({ start, end, state: state as SlotStateEnum, heldUntil: null, displayMarker: null, bookingLink: null })),
});

const REFUSAL_MESSAGES: Record<ShareRefusal, string> = {
  SERVICE_NOT_SHARED: 'The share does not allow this service',
  OUTSIDE_SHARED_HOURS: 'The time lies outside the hours the share allows',
  OUTSIDE_HORIZON: 'The time lies outside the days ahead the share allows',
  DAILY_QUOTA_REACHED: 'The share\'s daily quota for that day is used up',
  CENTRE_OFFLINE: 'The sharing centre takes no shared bookings at the moment',
};

/** A booking outcome → the union member peers switch on. */
export function toPeerBookResult(outcome: PeerBookOutcome): object {
  switch (outcome.kind) {
    case 'BOOKED':
      return Object.assign(new PeerBooking(), { appointmentId: outcome.appointmentId, start: outcome.start, end: outcome.end });
    case 'SHARE_REFUSED':
      return Object.assign(new ShareRefused(), { reason: outcome.reason as ShareRefusalEnum, message: REFUSAL_MESSAGES[outcome.reason] });
    default:
      return toBookingResult({ kind: outcome.kind });
  }
}

/** A hold outcome → the union member peers switch on. */
export function toPeerHoldResult(outcome: PeerHoldOutcome): object {
  if (outcome.kind !== 'HELD') return toPeerBookResult(outcome);
  return Object.assign(new PeerHold(), { holdId: outcome.holdId, start: outcome.start, end: outcome.end, expiresAt: outcome.expiresAt });
}

export const toPeerCancellation = (outcome: PeerCancelOutcome): PeerCancellation => ({
  status: outcome.status as PeerCancelStatusEnum, appointmentId: outcome.appointmentId,
});

export const toPeerOccupancyEvent = (event: PeerOccupancyEventRow): PeerOccupancyEvent => ({
  scheduleId: event.scheduleId, kind: event.kind as PeerOccupancyKindEnum, clientReference: event.clientReference, start: event.start, end: event.end,
});

/** A move answers like a booking: the twin at its (new) time, or the same refusals and failures. */
export function toPeerRescheduleResult(outcome: PeerRescheduleOutcome): object {
  return toPeerBookResult(outcome.kind === 'MOVED' ? { ...outcome, kind: 'BOOKED' } : outcome);
}
