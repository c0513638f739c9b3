import { registerEnumType } from 'type-graphql';

export enum ShareRefusalEnum {
  SERVICE_NOT_SHARED = 'SERVICE_NOT_SHARED',
  OUTSIDE_SHARED_HOURS = 'OUTSIDE_SHARED_HOURS',
  OUTSIDE_HORIZON = 'OUTSIDE_HORIZON',
  DAILY_QUOTA_REACHED = 'DAILY_QUOTA_REACHED',
  CENTRE_OFFLINE = 'CENTRE_OFFLINE',
}
registerEnumType(ShareRefusalEnum, {
  name: 'ShareRefusal',
  description: 'Why the share\'s rules refuse a time the schedule itself would accept.',
  valuesConfig: {
    SERVICE_NOT_SHARED: { description: 'The share does not allow this service.' },
    OUTSIDE_SHARED_HOURS: { description: 'Outside the weekly windows of the share.' },
    OUTSIDE_HORIZON: { description: 'Before earliestDaysAhead or after latestDaysAhead.' },
    DAILY_QUOTA_REACHED: { description: 'The client already holds the daily quota of bookings on that day.' },
    CENTRE_OFFLINE: { description: 'The sharing centre takes no shared bookings at the moment.' },
  },
});

export enum PeerCancelStatusEnum {
  CANCELLED = 'CANCELLED',
  NOT_FOUND = 'NOT_FOUND',
}
registerEnumType(PeerCancelStatusEnum, {
  name: 'PeerCancelStatus',
  description: 'CANCELLED (also when it already was); NOT_FOUND when this share has no twin with that reference.',
});

export enum PeerOccupancyKindEnum {
  LIVE = 'LIVE',
  CREATED = 'CREATED',
  CHANGED = 'CHANGED',
  CANCELLED = 'CANCELLED',
  SCHEDULE_CHANGED = 'SCHEDULE_CHANGED',
}
registerEnumType(PeerOccupancyKindEnum, { name: 'PeerOccupancyKind' });
