import { ApiToken } from './api-token.entity';
import { Appointment } from './appointment.entity';
import { AppointmentChange } from './appointment-change.entity';
import { AttemptCounter } from './attempt-counter.entity';
import { AuditEvent } from './audit-event.entity';
import { Centre } from './centre.entity';
import { MedicalService } from './medical-service.entity';
import { OpeningHours } from './opening-hours.entity';
import { Partner } from './partner.entity';
import { Patient } from './patient.entity';
import { Practitioner } from './practitioner.entity';
import { Schedule } from './schedule.entity';
import { ScheduleException } from './schedule-exception.entity';
import { ScheduleService } from './schedule-service.entity';
import { ScheduleShare } from './schedule-share.entity';
import { ScheduleShareSchedule } from './schedule-share-schedule.entity';
import { ShareLink } from './share-link.entity';
import { Tenant } from './tenant.entity';
import { TrafficChannel } from './traffic-channel.entity';
import { User } from './user.entity';
import { PartnerDataAccess } from './partner-data-access.entity';
import { PartnerNotification } from './partner-notification.entity';
import { CareslotClock, PartnerFeedSweep } from './careslot-clock.entity';
import { BookingSystemConnection } from './booking-system-connection.entity';
import { EngagementIndexCentre, EngagementIndexFailure, EngagementIndexOutbox, EngagementIndexPost, EngagementIndexSettings } from './engagement-index.entity';

export {
  ApiToken, Appointment, AppointmentChange, AuditEvent, Centre, MedicalService, OpeningHours, Patient, Practitioner,
  Schedule, ScheduleException, ScheduleService, Tenant, User, ScheduleShare, ScheduleShareSchedule, ShareLink, AttemptCounter, Partner, TrafficChannel,
  PartnerDataAccess, PartnerNotification, CareslotClock, PartnerFeedSweep, BookingSystemConnection,
  EngagementIndexSettings, EngagementIndexCentre, EngagementIndexOutbox, EngagementIndexPost, EngagementIndexFailure,
};
export * from './partner.entity';
export * from './partner-notification.entity';
export * from './schedule-share.entity';
export * from './user.entity';
export * from './api-token.entity';
export * from './appointment.entity';
export * from './schedule-exception.entity';
export { SHARE_LINK_STATUSES, type ShareLinkStatus } from './share-link.entity';

export const ENTITIES = [
  Tenant, User, ApiToken, AuditEvent, Centre, Practitioner, MedicalService, Schedule, ScheduleService, OpeningHours,
  ScheduleException, Patient, Appointment, AppointmentChange, ScheduleShare, ScheduleShareSchedule, ShareLink, AttemptCounter, Partner, TrafficChannel,
  PartnerDataAccess, PartnerNotification, CareslotClock, PartnerFeedSweep, BookingSystemConnection,
  EngagementIndexSettings, EngagementIndexCentre, EngagementIndexOutbox, EngagementIndexPost, EngagementIndexFailure,
];
