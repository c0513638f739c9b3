import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import { gql, gqlOk, type GraphQLResponse } from '../helpers/graphql-client';
import type { TestServer } from '../helpers/test-server';

/**
 * Shared helpers of the scheduling e2e tests: wall-clock instants in a centre's zone, a slot
 * allocator that never hands out the same time twice, the GraphQL documents of the scheduling
 * API and read-only snapshots of a tenant taken through the public API.
 */

export const STOCKHOLM = 'Europe/Stockholm';

export type Status = 'BOOKED' | 'CONFIRMED' | 'ARRIVED' | 'FULFILLED' | 'CANCELLED' | 'NO_SHOW';
export const STATUSES: readonly Status[] = ['BOOKED', 'CONFIRMED', 'ARRIVED', 'FULFILLED', 'CANCELLED', 'NO_SHOW'];

/** `hour:minute` local time `daysAhead` days after today (in `zone`), as an ISO instant in UTC (milliseconds included, as the API answers). */
export function localAt(daysAhead: number, hour: number, minute = 0, zone = STOCKHOLM): string {
  return DateTime.now().setZone(zone).startOf('day').plus({ days: daysAhead }).set({ hour, minute, second: 0, millisecond: 0 }).toUTC().toJSDate().toISOString();
}

/** The same instant in one canonical form (the API may or may not print milliseconds). */
export const iso = (instant: string | Date): string => new Date(instant).toISOString();

/** An asymmetric matcher: any string naming the same instant as `instant`. */
export function sameInstant(instant: string | Date): string {
  const expected = new Date(instant).getTime();
  return {
    asymmetricMatch: (actual: unknown) => typeof actual === 'string' && Date.parse(actual) === expected,
    toAsymmetricMatcher: () => `sameInstant(${new Date(instant).toISOString()})`,
  } as unknown as string;
}

export const plusMinutes = (instant: string, minutes: number): string => new Date(Date.parse(instant) + minutes * 60_000).toISOString();

/** A fresh idempotency key (valid format). */
export const key = (): string => `k-${randomUUID()}`;

export interface SlotRef {
  scheduleId: string;
  start: string;
}

/**
 * Hands out distinct bookable starts: day by day (from `firstDay` days ahead), schedule by schedule,
 * `durationMinutes` apart inside [openHour, closeHour). Never the same time on the same schedule twice.
 */
export class SlotAllocator {
  private index = 0;
  private readonly perDay: number;

  constructor(
    private readonly scheduleIds: readonly string[],
    private readonly options: { firstDay?: number; openHour?: number; closeHour?: number; durationMinutes?: number; zone?: string } = {},
  ) {
    const { openHour = 8, closeHour = 17, durationMinutes = 30 } = options;
    this.perDay = Math.floor(((closeHour - openHour) * 60) / durationMinutes);
  }

  next(): SlotRef {
    const { firstDay = 1, openHour = 8, durationMinutes = 30, zone = STOCKHOLM } = this.options;
    const perDayAll = this.perDay * this.scheduleIds.length;
    const day = firstDay + Math.floor(this.index / perDayAll);
    const withinDay = this.index % perDayAll;
    const scheduleId = this.scheduleIds[Math.floor(withinDay / this.perDay)]!;
    const minutes = openHour * 60 + (withinDay % this.perDay) * durationMinutes;
    this.index += 1;
    return { scheduleId, start: localAt(day, Math.floor(minutes / 60), minutes % 60, zone) };
  }
}

// ---------------------------------------------------------------------------------------------
// Documents

export const HISTORY_FIELDS = 'occurredAt action actorKind actorId fromStatus toStatus start end';
export const APPOINTMENT_FIELDS = `id centreId scheduleId serviceId patientId start end status origin anonymous note
  cancellation { reasonCode reasonText } createdAt updatedAt history { ${HISTORY_FIELDS} }`;
export const PATIENT_FIELDS = 'id familyName givenName patronymic phone personalIdentityNumber consents { dataProcessingRefused allNotificationsRefused advertisingRefused }';

const FAILURES = '... on SlotUnavailable { message } ... on OutsideOpeningHours { message } ... on OffSlotGrid { message } ... on InThePast { message }';

export const BOOK = `mutation Book($input: BookAppointmentInput!) {
  bookAppointment(input: $input) {
    __typename
    ... on Appointment { ${APPOINTMENT_FIELDS} }
    ${FAILURES} ... on ServiceNotOffered { message } ... on PatientNotFound { message }
  }
}`;

export const RESCHEDULE = `mutation Reschedule($input: RescheduleAppointmentInput!) {
  rescheduleAppointment(input: $input) { __typename ... on Appointment { ${APPOINTMENT_FIELDS} } ${FAILURES} }
}`;

export const CANCEL = `mutation Cancel($input: CancelAppointmentInput!) { cancelAppointment(input: $input) { ${APPOINTMENT_FIELDS} } }`;
export const CONFIRM = `mutation Confirm($input: ConfirmAppointmentInput!) { confirmAppointment(input: $input) { ${APPOINTMENT_FIELDS} } }`;
export const CHANGE_STATUS = `mutation ChangeStatus($input: ChangeAppointmentStatusInput!) { changeAppointmentStatus(input: $input) { ${APPOINTMENT_FIELDS} } }`;
export const CREATE_PATIENT = `mutation CreatePatient($input: NewPatientInput!) { createPatient(input: $input) { ${PATIENT_FIELDS} } }`;
export const UPDATE_PATIENT = `mutation UpdatePatient($input: UpdatePatientInput!) { updatePatient(input: $input) { ${PATIENT_FIELDS} } }`;

/**
 * Ids are written into the document as string literals: a literal fits an `ID!` and a `String!`
 * argument alike, so these documents do not depend on which of the two the schema declares.
 */
export const literal = (value: string): string => JSON.stringify(value);
export const appointmentQuery = (id: string, fields = APPOINTMENT_FIELDS) => `query Appointment { appointment(id: ${literal(id)}) { ${fields} } }`;
export const patientQuery = (id: string, fields = PATIENT_FIELDS) => `query Patient { patient(id: ${literal(id)}) { ${fields} } }`;
export const APPOINTMENTS = `query Appointments($filter: AppointmentFilterInput, $first: Int!, $after: String) {
  appointments(filter: $filter, first: $first, after: $after) { nodes { ${APPOINTMENT_FIELDS} } pageInfo { hasNextPage endCursor } }
}`;
export const PATIENTS = `query Patients($search: String!, $first: Int!, $after: String) {
  patients(search: $search, first: $first, after: $after) { nodes { ${PATIENT_FIELDS} } pageInfo { hasNextPage endCursor } }
}`;

export interface HistoryEntry {
  occurredAt: string;
  action: string;
  actorKind: string;
  actorId: string | null;
  fromStatus: Status | null;
  toStatus: Status;
  start: string;
  end: string;
}

export interface AppointmentData {
  __typename?: string;
  id: string;
  centreId: string;
  scheduleId: string;
  serviceId: string;
  patientId: string | null;
  start: string;
  end: string;
  status: Status;
  origin: string;
  anonymous: boolean;
  note: string | null;
  cancellation: { reasonCode: string; reasonText: string | null } | null;
  createdAt: string;
  updatedAt: string;
  history: HistoryEntry[];
}

export interface PatientData {
  id: string;
  familyName: string;
  givenName: string;
  patronymic: string | null;
  phone: string | null;
  personalIdentityNumber: string | null;
  consents: { dataProcessingRefused: boolean; allNotificationsRefused: boolean; advertisingRefused: boolean };
}

// ---------------------------------------------------------------------------------------------
// Calls

type Target = TestServer | string;

export const book = (app: Target, token: string, input: Record<string, unknown>) => gql<{ bookAppointment: AppointmentData }>(app, BOOK, { input }, token);
export const reschedule = (app: Target, token: string, input: Record<string, unknown>) => gql<{ rescheduleAppointment: AppointmentData }>(app, RESCHEDULE, { input }, token);
export const cancel = (app: Target, token: string, input: Record<string, unknown>) => gql<{ cancelAppointment: AppointmentData }>(app, CANCEL, { input }, token);
export const confirm = (app: Target, token: string, input: Record<string, unknown>) => gql<{ confirmAppointment: AppointmentData }>(app, CONFIRM, { input }, token);
export const changeStatus = (app: Target, token: string, input: Record<string, unknown>) => gql<{ changeAppointmentStatus: AppointmentData }>(app, CHANGE_STATUS, { input }, token);
export const createPatient = (app: Target, token: string, input: Record<string, unknown>) => gql<{ createPatient: PatientData }>(app, CREATE_PATIENT, { input }, token);
export const updatePatient = (app: Target, token: string, input: Record<string, unknown>) => gql<{ updatePatient: PatientData }>(app, UPDATE_PATIENT, { input }, token);

export async function readAppointment(app: Target, token: string, id: string): Promise<AppointmentData> {
  return (await gqlOk<{ appointment: AppointmentData }>(app, appointmentQuery(id), {}, token)).appointment;
}

export async function readPatient(app: Target, token: string, id: string): Promise<PatientData> {
  return (await gqlOk<{ patient: PatientData }>(app, patientQuery(id), {}, token)).patient;
}

/** Books and insists on success: the appointment as answered. */
export async function bookOk(app: Target, token: string, input: Record<string, unknown>): Promise<AppointmentData> {
  const response = await book(app, token, { idempotencyKey: key(), ...input });
  const result = response.data?.bookAppointment;
  if (response.errors?.length || result?.__typename !== 'Appointment') {
    throw new Error(`booking failed: ${JSON.stringify(response.errors ?? result)}`);
  }
  const { __typename: _typename, ...appointment } = result;
  return appointment;
}

/** Every page of appointments(filter), followed with `after` until hasNextPage is false. */
export async function allAppointments(app: Target, token: string, filter: Record<string, unknown> = {}, pageSize = 50): Promise<{ nodes: AppointmentData[]; pages: number }> {
  const nodes: AppointmentData[] = [];
  let after: string | null = null;
  let pages = 0;
  for (;;) {
    const data: { appointments: { nodes: AppointmentData[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } } =
      await gqlOk(app, APPOINTMENTS, { filter, first: pageSize, after }, token);
    pages += 1;
    nodes.push(...data.appointments.nodes);
    if (!data.appointments.pageInfo.hasNextPage) return { nodes, pages };
    after = data.appointments.pageInfo.endCursor;
    if (pages > 100) throw new Error('appointments: more than 100 pages, is pagination looping?');
  }
}

/** Every page of patients(search). */
export async function searchPatients(app: Target, token: string, search: string, pageSize = 50): Promise<PatientData[]> {
  const nodes: PatientData[] = [];
  let after: string | null = null;
  for (let pages = 0; pages < 100; pages++) {
    const data: { patients: { nodes: PatientData[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } } =
      await gqlOk(app, PATIENTS, { search, first: pageSize, after }, token);
    nodes.push(...data.patients.nodes);
    if (!data.patients.pageInfo.hasNextPage) return nodes;
    after = data.patients.pageInfo.endCursor;
  }
  throw new Error('patients: more than 100 pages, is pagination looping?');
}

export interface TenantSnapshot {
  appointments: AppointmentData[];
  appointmentCount: number;
  historyCount: number;
  patients: PatientData[];
  patientCount: number;
}

/**
 * What a tenant holds, read through the API with the given token: every appointment (with its
 * history) and every patient whose family or given name starts with one of `patientPrefixes`
 * (the API has no "all patients" query; tests give their patients names with known prefixes).
 */
export async function snapshot(app: Target, token: string, patientPrefixes: readonly string[]): Promise<TenantSnapshot> {
  const { nodes } = await allAppointments(app, token);
  const appointments = [...nodes].sort((a, b) => a.id.localeCompare(b.id));
  const byId = new Map<string, PatientData>();
  for (const prefix of patientPrefixes) for (const patient of await searchPatients(app, token, prefix)) byId.set(patient.id, patient);
  const patients = [...byId.values()].sort((a, b) => a.id.localeCompare(b.id));
  return {
    appointments, appointmentCount: appointments.length, historyCount: appointments.reduce((sum, a) => sum + a.history.length, 0),
    patients, patientCount: patients.length,
  };
}

/** The first error's field names (`extensions.fields[].field`). */
export function errorFields(response: GraphQLResponse): string[] {
  return ((response.errors?.[0]?.extensions?.fields ?? []) as Array<{ field: string }>).map((f) => f.field);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------
// Live agenda

/** The agendaChanged subscription of one centre (the id as a literal, see `literal`). */
export const agendaChanged = (centreId: string) => `subscription Agenda {
  agendaChanged(centreId: ${literal(centreId)}) {
    kind centreId appointmentId scheduleId linkId interval { start end } appointment { id status start end scheduleId viaShare cancellation { reasonCode reasonText } }
  }
}`;

export interface AgendaChangeData {
  kind: 'CREATED' | 'CHANGED' | 'CANCELLED' | 'SCHEDULE_CHANGED' | 'RESYNC' | 'LINK_DOWN' | 'LINK_RESTORED';
  centreId: string;
  appointmentId: string | null;
  scheduleId: string | null;
  linkId: string | null;
  interval: { start: string; end: string } | null;
  appointment: {
    id: string; status: Status; start: string; end: string; scheduleId: string; viaShare: boolean;
    cancellation: { reasonCode: string; reasonText: string | null } | null;
  } | null;
}

interface SubscriptionLike {
  next(timeoutMs?: number): Promise<unknown>;
  nothingWithin(ms: number): Promise<boolean>;
  errors: unknown[];
  completed: boolean;
  /** Present on subscribeQueued's subscriptions: everything received, in order. */
  log?: Array<{ type: 'next' | 'error' | 'complete'; value?: unknown }>;
}

/**
 * What a subscription did first, within `ms`: an event (`next` payload, possibly carrying errors),
 * an `error` message, completion, or nothing. Exact for subscribeQueued's subscriptions (it reads
 * their log); for test/helpers/ws-client's it polls.
 */
export async function firstOutcome(subscription: SubscriptionLike, ms = 3000): Promise<
  { kind: 'next'; payload: { data?: unknown; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> } }
  | { kind: 'error'; errors: unknown[] } | { kind: 'complete' } | { kind: 'nothing' }
> {
  const deadline = Date.now() + ms;
  const { log } = subscription;
  if (log) {
    while (Date.now() < deadline && log.length === 0) await sleep(10);
    const first = log[0];
    if (!first) return { kind: 'nothing' };
    if (first.type === 'next') return { kind: 'next', payload: first.value as never };
    if (first.type === 'error') return { kind: 'error', errors: Array.isArray(first.value) ? first.value : [first.value] };
    return { kind: 'complete' };
  }
  while (Date.now() < deadline) {
    if (subscription.errors.length > 0) return { kind: 'error', errors: subscription.errors };
    const quiet = await subscription.nothingWithin(25);
    // nothingWithin(0) looks at the queue only: an event may have been queued by an earlier waiter.
    if (!quiet || !(await subscription.nothingWithin(0))) return { kind: 'next', payload: (await subscription.next(10)) as never };
    if (subscription.completed) return { kind: 'complete' };
  }
  return { kind: 'nothing' };
}

/** The error codes of an outcome, wherever graphql-ws put them. */
export function outcomeCodes(outcome: Awaited<ReturnType<typeof firstOutcome>>): string[] {
  const errors = outcome.kind === 'next' ? outcome.payload.errors ?? [] : outcome.kind === 'error' ? outcome.errors.flat() : [];
  return (errors as Array<{ extensions?: { code?: string } }>).map((error) => String(error?.extensions?.code ?? 'NO_CODE'));
}

/**
 * A subscription with its own event queue. Unlike test/helpers/ws-client's `subscribe`, a `next`
 * that times out withdraws its waiter, so a later event is never handed to a promise nobody awaits.
 */
export interface QueuedSubscription<T> {
  next(timeoutMs?: number): Promise<T>;
  nothingWithin(ms: number): Promise<boolean>;
  errors: unknown[];
  completed: boolean;
  /** Everything the server sent for this operation, in order. */
  log: Array<{ type: 'next' | 'error' | 'complete'; value?: unknown }>;
  dispose(): void;
}

export function subscribeQueued<T>(client: { subscribe: (payload: { query: string; variables?: Record<string, unknown> }, sink: { next: (value: unknown) => void; error: (error: unknown) => void; complete: () => void }) => () => void }, query: string, variables: Record<string, unknown> = {}): QueuedSubscription<T> {
  const queue: T[] = [];
  let waiter: ((value: T) => void) | undefined;
  const subscription: QueuedSubscription<T> = {
    errors: [],
    completed: false,
    log: [],
    next: (timeoutMs = 3000) => new Promise<T>((resolve, reject) => {
      if (queue.length > 0) return resolve(queue.shift()!);
      if (waiter) return reject(new Error('one next() at a time'));
      const timer = setTimeout(() => {
        waiter = undefined;
        reject(new Error(`no subscription event within ${timeoutMs} ms (completed: ${subscription.completed}, errors: ${JSON.stringify(subscription.errors)})`));
      }, timeoutMs);
      waiter = (value) => {
        clearTimeout(timer);
        waiter = undefined;
        resolve(value);
      };
    }),
    nothingWithin: async (ms) => {
      if (queue.length > 0) return false;
      await sleep(ms);
      return queue.length === 0;
    },
    dispose: () => undefined,
  };
  subscription.dispose = client.subscribe({ query, variables }, {
    next: (value) => {
      subscription.log.push({ type: 'next', value });
      if (waiter) waiter(value as T);
      else queue.push(value as T);
    },
    error: (error) => {
      subscription.log.push({ type: 'error', value: error });
      subscription.errors.push(error);
    },
    complete: () => {
      subscription.log.push({ type: 'complete' });
      subscription.completed = true;
    },
  });
  return subscription;
}
