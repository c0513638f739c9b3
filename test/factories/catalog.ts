import { randomUUID } from 'node:crypto';
import { gqlOk } from '../helpers/graphql-client';
import type { TestServer } from '../helpers/test-server';
import type { TestTenant } from './tenants';

/**
 * Catalog set-up through the public API, as an ADMIN of the tenant would do it. Every helper
 * takes the tenant (its admin token is used) and answers ids.
 */

export interface WeeklyHoursSpec {
  /** ISO weekday: 1 = Monday … 7 = Sunday. */
  weekday: number;
  startTime: string;
  endTime: string;
  /** Defaults to 2000-01-01 (valid since long ago). */
  validFrom?: string;
  validUntil?: string | null;
}

export interface ServiceSpec {
  code?: string;
  name?: string;
  durationMinutes: number;
  requiredQualification?: string | null;
}

export interface ExceptionSpec {
  kind: 'CLOSED' | 'EXTRA_HOURS';
  /** "YYYY-MM-DDTHH:MM" in the centre's time zone. */
  startsLocal: string;
  endsLocal: string;
  reason?: string;
}

const LONG_AGO = '2000-01-01';

/** The same block on every day of the week. */
export function everyDay(startTime: string, endTime: string, validity: Pick<WeeklyHoursSpec, 'validFrom' | 'validUntil'> = {}): WeeklyHoursSpec[] {
  return [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, startTime, endTime, ...validity }));
}

/** The same block Monday to Friday. */
export function weekdays(startTime: string, endTime: string, validity: Pick<WeeklyHoursSpec, 'validFrom' | 'validUntil'> = {}): WeeklyHoursSpec[] {
  return everyDay(startTime, endTime, validity).filter((block) => block.weekday <= 5);
}

const withValidity = (hours: WeeklyHoursSpec[]) => hours.map((block) => ({ validFrom: LONG_AGO, ...block }));
const unique = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;
/** Options left undefined must not override the defaults they are spread over. */
const defined = <T extends object>(input: T): Partial<T> =>
  Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined)) as Partial<T>;

export async function createCentre(
  app: TestServer,
  tenant: TestTenant,
  input: { name?: string; timeZone?: string; hsaId?: string; offline?: boolean; address?: Record<string, string> } = {},
): Promise<string> {
  const data = await gqlOk<{ createCentre: { id: string } }>(
    app, 'mutation($input: CreateCentreInput!) { createCentre(input: $input) { id } }',
    { input: { name: unique('Centre'), timeZone: 'Europe/Stockholm', ...defined(input) } }, tenant.adminToken,
  );
  return data.createCentre.id;
}

export async function createPractitioner(
  app: TestServer,
  tenant: TestTenant,
  input: { name?: string; qualifications?: string[]; dataSharingBanned?: boolean } = {},
): Promise<string> {
  const data = await gqlOk<{ createPractitioner: { id: string } }>(
    app, 'mutation($input: CreatePractitionerInput!) { createPractitioner(input: $input) { id } }',
    { input: { name: unique('Dr'), ...defined(input) } }, tenant.adminToken,
  );
  return data.createPractitioner.id;
}

export async function createService(app: TestServer, tenant: TestTenant, input: ServiceSpec = { durationMinutes: 30 }): Promise<string> {
  const data = await gqlOk<{ createService: { id: string } }>(
    app, 'mutation($input: CreateServiceInput!) { createService(input: $input) { id } }',
    { input: { code: unique('SVC'), name: 'Examination', ...defined(input) } }, tenant.adminToken,
  );
  return data.createService.id;
}

export async function createSchedule(
  app: TestServer,
  tenant: TestTenant,
  input: { centreId: string; serviceIds: string[]; practitionerId?: string | null; name?: string; slotMinutes?: number; openingHours?: WeeklyHoursSpec[] },
): Promise<string> {
  const data = await gqlOk<{ createSchedule: { id: string } }>(
    app, 'mutation($input: CreateScheduleInput!) { createSchedule(input: $input) { id } }',
    {
      input: {
        name: unique('Schedule'), slotMinutes: 15, ...defined(input),
        openingHours: withValidity(input.openingHours ?? everyDay('08:00', '17:00')),
      },
    },
    tenant.adminToken,
  );
  return data.createSchedule.id;
}

export async function setOpeningHours(app: TestServer, tenant: TestTenant, scheduleId: string, hours: WeeklyHoursSpec[]): Promise<void> {
  await gqlOk(
    app, 'mutation($input: SetOpeningHoursInput!) { setOpeningHours(input: $input) { id } }',
    { input: { scheduleId, hours: withValidity(hours) } }, tenant.adminToken,
  );
}

export async function addScheduleException(app: TestServer, tenant: TestTenant, scheduleId: string, exception: ExceptionSpec): Promise<string> {
  const data = await gqlOk<{ addScheduleException: { id: string } }>(
    app, 'mutation($input: AddScheduleExceptionInput!) { addScheduleException(input: $input) { id } }',
    { input: { scheduleId, ...exception } }, tenant.adminToken,
  );
  return data.addScheduleException.id;
}

export interface CentreWithSchedulesOptions {
  name?: string;
  /** IANA zone; defaults to Europe/Stockholm. */
  timeZone?: string;
  /** How many schedules; defaults to 1. */
  schedules?: number;
  /** Defaults to 15. */
  slotMinutes?: number;
  /** Every schedule's weekly hours; defaults to every day 08:00–17:00, valid since 2000-01-01. */
  openingHours?: WeeklyHoursSpec[];
  /** The services every schedule offers; defaults to one of 30 minutes. */
  services?: ServiceSpec[];
  /** One practitioner per schedule (default), or none. */
  practitioners?: boolean;
  /** Qualifications of each practitioner. */
  qualifications?: string[];
  /** Exceptions added to every schedule. */
  exceptions?: ExceptionSpec[];
  offline?: boolean;
  hsaId?: string;
}

export interface CentreWithSchedules {
  centreId: string;
  timeZone: string;
  scheduleIds: string[];
  /** practitionerIds[i] works in scheduleIds[i]; empty without practitioners. */
  practitionerIds: string[];
  /** In the order of options.services. */
  serviceIds: string[];
  services: Array<{ id: string; durationMinutes: number }>;
}

/** A centre with n schedules, each with its own practitioner, all offering the same services. */
export async function createCentreWithSchedules(app: TestServer, tenant: TestTenant, options: CentreWithSchedulesOptions = {}): Promise<CentreWithSchedules> {
  const timeZone = options.timeZone ?? 'Europe/Stockholm';
  const centreId = await createCentre(app, tenant, { name: options.name, timeZone, offline: options.offline, hsaId: options.hsaId });
  const serviceSpecs = options.services ?? [{ durationMinutes: 30 }];
  const services = [];
  for (const spec of serviceSpecs) services.push({ id: await createService(app, tenant, spec), durationMinutes: spec.durationMinutes });
  const serviceIds = services.map((service) => service.id);
  const scheduleIds: string[] = [];
  const practitionerIds: string[] = [];
  for (let index = 0; index < (options.schedules ?? 1); index++) {
    const practitionerId = options.practitioners === false
      ? null
      : await createPractitioner(app, tenant, { qualifications: options.qualifications ?? [] });
    if (practitionerId) practitionerIds.push(practitionerId);
    const scheduleId = await createSchedule(app, tenant, {
      centreId, serviceIds, practitionerId, name: `Schedule ${index + 1}`, slotMinutes: options.slotMinutes ?? 15, openingHours: options.openingHours,
    });
    for (const exception of options.exceptions ?? []) await addScheduleException(app, tenant, scheduleId, exception);
    scheduleIds.push(scheduleId);
  }
  return { centreId, timeZone, scheduleIds, practitionerIds, serviceIds, services };
}
