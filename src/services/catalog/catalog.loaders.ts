import type { RequestContext } from '../../context/request-context';
import { rowsById, rowsByParent } from '../common/loaders';
import { centresRepository } from './centres.sql';
import { medicalServicesRepository } from './medical-services.sql';
import { practitionersRepository } from './practitioners.sql';
import { scheduleHoursRepository } from './schedule-hours.sql';
import { schedulesRepository } from './schedules.sql';

const CENTRES = Symbol('centres');
const PRACTITIONERS = Symbol('practitioners');
const SERVICES = Symbol('services');
const SCHEDULES = Symbol('schedules');
const SCHEDULES_OF_CENTRE = Symbol('schedules-of-centre');
const SERVICES_OF_SCHEDULE = Symbol('services-of-schedule');
const OPENING_HOURS_OF_SCHEDULE = Symbol('opening-hours-of-schedule');
const EXCEPTIONS_OF_SCHEDULE = Symbol('exceptions-of-schedule');
const MIRROR_SCHEDULES_OF_LINK = Symbol('mirror-schedules-of-link');
const MIRROR_SERVICES_OF_LINK = Symbol('mirror-services-of-link');

/** Per-request loaders over the caller's tenant; ids of other tenants load as undefined (or []). */
export const centreLoader = (ctx: RequestContext) => rowsById(ctx, CENTRES, centresRepository.findByIds);
export const practitionerLoader = (ctx: RequestContext) => rowsById(ctx, PRACTITIONERS, practitionersRepository.findByIds);
export const serviceLoader = (ctx: RequestContext) => rowsById(ctx, SERVICES, medicalServicesRepository.findByIds);
export const scheduleLoader = (ctx: RequestContext) => rowsById(ctx, SCHEDULES, schedulesRepository.findByIds);

export const schedulesOfCentreLoader = (ctx: RequestContext) =>
  rowsByParent(ctx, SCHEDULES_OF_CENTRE, schedulesRepository.findByCentres, (schedule) => schedule.centreId);
export const servicesOfScheduleLoader = (ctx: RequestContext) =>
  rowsByParent(ctx, SERVICES_OF_SCHEDULE, schedulesRepository.servicesOf, (service) => service.scheduleId);
export const openingHoursOfScheduleLoader = (ctx: RequestContext) =>
  rowsByParent(ctx, OPENING_HOURS_OF_SCHEDULE, scheduleHoursRepository.openingHoursOf, (hours) => hours.scheduleId);
export const exceptionsOfScheduleLoader = (ctx: RequestContext) =>
  rowsByParent(ctx, EXCEPTIONS_OF_SCHEDULE, scheduleHoursRepository.exceptionsOf, (exception) => exception.scheduleId);
export const mirrorSchedulesOfLinkLoader = (ctx: RequestContext) =>
  rowsByParent(ctx, MIRROR_SCHEDULES_OF_LINK, schedulesRepository.mirrorsOfLinks, (schedule) => schedule.linkId!);
export const mirrorServicesOfLinkLoader = (ctx: RequestContext) =>
  rowsByParent(ctx, MIRROR_SERVICES_OF_LINK, medicalServicesRepository.mirrorsOfLinks, (service) => service.linkId!);
