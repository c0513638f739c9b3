import { Field, ObjectType, createUnionType, registerEnumType } from 'type-graphql';
import { ID, InstantScalar } from '../scalars';
import { PageInfo } from '../pagination';
import { Appointment } from '../scheduling/appointment.types';
import { FAILURE_TYPES } from '../scheduling/booking.results';
import { AppointmentStatusEnum } from '../scheduling/scheduling.enums';

export enum DataAccessStateEnum { CLOSED = 'CLOSED', PENDING = 'PENDING', OPEN = 'OPEN' }
registerEnumType(DataAccessStateEnum, {
  name: 'DataAccessState',
  valuesConfig: {
    CLOSED: { description: 'Never opened, or closed: nothing flows, and a partner forgets what it held.' },
    PENDING: { description: 'Opened; data flows from beginsAt (24 hours after opening).' },
    OPEN: { description: 'Data flows.' },
  },
});

export enum FeedChangeKindEnum { UPSERT = 'UPSERT', REMOVE = 'REMOVE', RESET = 'RESET', ACCESS_CLOSED = 'ACCESS_CLOSED' }
registerEnumType(FeedChangeKindEnum, {
  name: 'FeedChangeKind',
  valuesConfig: {
    UPSERT: { description: 'Hold this appointment (and its patient) as it is now.' },
    REMOVE: { description: 'Forget this appointment, or this patient and every appointment of theirs.' },
    RESET: { description: 'The cursor was from an earlier opening (or not yours): forget everything; what follows is the whole set.' },
    ACCESS_CLOSED: { description: 'The clinic closed your access: forget everything. The stream ends.' },
  },
});

export enum FeedEntityEnum { APPOINTMENT = 'APPOINTMENT', PATIENT = 'PATIENT' }
registerEnumType(FeedEntityEnum, { name: 'FeedEntity' });

export enum RemovalReasonEnum {
  CONSENT_CHANGED = 'CONSENT_CHANGED', PRACTITIONER_BANNED = 'PRACTITIONER_BANNED', ANONYMOUS = 'ANONYMOUS', OUTSIDE_WINDOW = 'OUTSIDE_WINDOW', GONE = 'GONE',
}
registerEnumType(RemovalReasonEnum, {
  name: 'RemovalReason',
  valuesConfig: {
    CONSENT_CHANGED: { description: 'The patient refused data processing, all notifications or advertising.' },
    PRACTITIONER_BANNED: { description: 'The practitioner\'s data sharing is banned.' },
    ANONYMOUS: { description: 'The appointment is anonymous.' },
    OUTSIDE_WINDOW: { description: 'The start lies outside 45 days back to 30 days ahead.' },
    GONE: { description: 'The appointment no longer exists.' },
  },
});

export enum NotificationChannelEnum { SMS = 'SMS', EMAIL = 'EMAIL', PUSH = 'PUSH', VOICE = 'VOICE', MESSENGER = 'MESSENGER' }
registerEnumType(NotificationChannelEnum, { name: 'NotificationChannel' });
export enum NotificationPurposeEnum {
  REMINDER = 'REMINDER', CONFIRMATION_REQUEST = 'CONFIRMATION_REQUEST', RESCHEDULED = 'RESCHEDULED', CANCELLED = 'CANCELLED', FOLLOW_UP = 'FOLLOW_UP',
}
registerEnumType(NotificationPurposeEnum, { name: 'NotificationPurpose' });

@ObjectType({ simpleResolvers: true, description: 'A partner\'s access to the tenant\'s patient and appointment data (seed 002).' })
export class PartnerDataAccess {
  @Field(() => ID) partnerId!: string;
  @Field(() => DataAccessStateEnum) state!: DataAccessStateEnum;
  @Field(() => InstantScalar, { nullable: true }) openedAt!: Date | null;
  @Field(() => InstantScalar, { nullable: true, description: 'When data starts to flow: 24 hours after opening (null while closed).' }) beginsAt!: Date | null;
  @Field(() => InstantScalar, { nullable: true }) closedAt!: Date | null;
}

@ObjectType({ simpleResolvers: true, description: 'A patient as partners see them: names and phone, nothing else.' })
export class SharedPatient {
  @Field(() => ID) id!: string;
  @Field() familyName!: string;
  @Field() givenName!: string;
  @Field(() => String, { nullable: true }) patronymic!: string | null;
  @Field(() => String, { nullable: true }) phone!: string | null;
}

@ObjectType({ simpleResolvers: true, description: 'An appointment shared with partners.' })
export class SharedAppointment {
  @Field(() => ID) id!: string;
  @Field(() => InstantScalar) start!: Date;
  @Field(() => InstantScalar) end!: Date;
  @Field(() => AppointmentStatusEnum) status!: AppointmentStatusEnum;
  @Field(() => ID) centreId!: string;
  @Field(() => ID) serviceId!: string;
  @Field(() => String, { nullable: true }) practitionerName!: string | null;
  @Field(() => SharedPatient) patient!: SharedPatient;
}

@ObjectType({ simpleResolvers: true, description: 'No longer shared: forget it.' })
export class FeedRemoval {
  @Field(() => FeedEntityEnum) entity!: FeedEntityEnum;
  @Field(() => ID) id!: string;
  @Field(() => ID, { nullable: true, description: 'The appointment\'s patient (for a PATIENT: the patient).' }) patientId!: string | null;
  @Field(() => RemovalReasonEnum) reason!: RemovalReasonEnum;
}

@ObjectType({ simpleResolvers: true, description: 'One change of the shared set, with the cursor to resume from after it.' })
export class PartnerAppointmentChange {
  @Field(() => FeedChangeKindEnum) kind!: FeedChangeKindEnum;
  @Field(() => String, { nullable: true }) cursor!: string | null;
  @Field(() => SharedAppointment, { nullable: true, description: 'UPSERT.' }) appointment!: SharedAppointment | null;
  @Field(() => FeedRemoval, { nullable: true, description: 'REMOVE.' }) removed!: FeedRemoval | null;
}

@ObjectType({ simpleResolvers: true, description: 'A page of the shared set\'s changes after a cursor (from the start without one).' })
export class PartnerFeedPage {
  @Field(() => PartnerDataAccess) access!: PartnerDataAccess;
  @Field(() => [PartnerAppointmentChange]) changes!: PartnerAppointmentChange[];
  @Field(() => String, { nullable: true, description: 'Resume from here; null while access is not open.' }) cursor!: string | null;
  @Field({ description: 'More changes are waiting: ask again with cursor at once.' }) hasMore!: boolean;
  @Field({ description: 'Forget everything you held: the cursor was from an earlier opening, not yours, or access is not open.' }) reset!: boolean;
}

@ObjectType({ simpleResolvers: true, description: 'A notification the partner sent, as recorded.' })
export class PartnerNotification {
  @Field(() => ID) id!: string;
  @Field(() => ID) appointmentId!: string;
  @Field(() => NotificationChannelEnum) channel!: NotificationChannelEnum;
  @Field(() => NotificationPurposeEnum) purpose!: NotificationPurposeEnum;
  @Field(() => InstantScalar) sentAt!: Date;
  @Field(() => InstantScalar) recordedAt!: Date;
}

@ObjectType({ simpleResolvers: true, description: 'The patient\'s consents no longer allow partners to notify them; nothing was recorded.' })
export class NotificationNotAllowed {
  @Field() message!: string;
}

export const RecordNotificationResult = createUnionType({
  name: 'RecordNotificationResult',
  types: () => [PartnerNotification, NotificationNotAllowed] as const,
  resolveType: (value: object) => (value instanceof NotificationNotAllowed ? 'NotificationNotAllowed' : 'PartnerNotification'),
});

export const PartnerPostponeResult = createUnionType({
  name: 'PartnerPostponeResult',
  types: () => [Appointment, ...Object.values(FAILURE_TYPES)] as const,
  resolveType: (value: object) => Object.values(FAILURE_TYPES).find((type) => value instanceof type)?.name ?? 'Appointment',
});

@ObjectType({ simpleResolvers: true, description: 'One audited partner-data event: a read (which appointments and patients), an opening or a closing.' })
export class PartnerAccessLogEntry {
  @Field(() => ID) id!: string;
  @Field(() => InstantScalar) occurredAt!: Date;
  @Field({ description: 'partner-data.read, partner-data.opened or partner-data.closed.' }) action!: string;
  @Field() actorKind!: string;
  @Field(() => String, { nullable: true }) actorId!: string | null;
  @Field(() => [ID], { description: 'The credentials (tokens) it was read for: live feeds at the same place share a read.' }) credentialIds!: string[];
  @Field(() => [ID]) appointmentIds!: string[];
  @Field(() => [ID]) patientIds!: string[];
}

@ObjectType({ simpleResolvers: true })
export class PartnerAccessLogConnection {
  @Field(() => [PartnerAccessLogEntry]) nodes!: PartnerAccessLogEntry[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
}
