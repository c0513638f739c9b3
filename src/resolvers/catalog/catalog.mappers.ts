import type {
  CentreRow, MedicalServiceRow, OpeningHoursRow, PractitionerRow, ScheduleExceptionRow, ScheduleRow,
} from '../../services/catalog/catalog.model';
import type { Page } from '../../services/common/pagination';
import { ScheduleExceptionKindEnum } from '../../schema/catalog/catalog.enums';
import {
  Centre, CentreConnection, OpeningHours, Practitioner, PractitionerConnection, Schedule, ScheduleConnection, ScheduleException,
  Service, ServiceConnection,
} from '../../schema/catalog/catalog.types';

export const toCentre = (row: CentreRow): Centre => ({
  id: row.id, name: row.name, timeZone: row.timeZone, hsaId: row.hsaId, address: row.address, offline: row.offline,
});

export const toPractitioner = (row: PractitionerRow): Practitioner => ({
  id: row.id, name: row.name, qualifications: row.qualifications, dataSharingBanned: row.dataSharingBanned,
});

export const toService = (row: MedicalServiceRow): Service => ({
  id: row.id, code: row.code, name: row.name, durationMinutes: row.durationMinutes, requiredQualification: row.requiredQualification,
});

export const toSchedule = (row: ScheduleRow): Schedule => ({
  id: row.id, centreId: row.centreId, practitionerId: row.practitionerId, name: row.name, slotMinutes: row.slotMinutes, active: row.active,
  linkId: row.linkId,
});

export const toOpeningHours = (row: OpeningHoursRow): OpeningHours => ({
  id: row.id, weekday: row.weekday, startTime: row.startTime, endTime: row.endTime, validFrom: row.validFrom, validUntil: row.validUntil,
});

export const toScheduleException = (row: ScheduleExceptionRow): ScheduleException => ({
  id: row.id, scheduleId: row.scheduleId, kind: row.kind as ScheduleExceptionKindEnum,
  startsLocal: row.startsLocal, endsLocal: row.endsLocal, reason: row.reason,
});

const pageInfo = (page: Page<unknown>) => ({ hasNextPage: page.hasNextPage, endCursor: page.endCursor });

export const toCentreConnection = (page: Page<CentreRow>): CentreConnection => ({ nodes: page.nodes.map(toCentre), pageInfo: pageInfo(page) });
export const toPractitionerConnection = (page: Page<PractitionerRow>): PractitionerConnection => ({
  nodes: page.nodes.map(toPractitioner), pageInfo: pageInfo(page),
});
export const toServiceConnection = (page: Page<MedicalServiceRow>): ServiceConnection => ({ nodes: page.nodes.map(toService), pageInfo: pageInfo(page) });
export const toScheduleConnection = (page: Page<ScheduleRow>): ScheduleConnection => ({ nodes: page.nodes.map(toSchedule), pageInfo: pageInfo(page) });
