import { randomUUID } from 'node:crypto';
import { withPgClient } from '../../src/db/pg-client';
import { gql, gqlOk } from '../helpers/graphql-client';
import type { TestServer } from '../helpers/test-server';
import { createCentreWithSchedules, type CentreWithSchedules } from '../factories/catalog';
import { createPartner, createPartnerAppToken } from '../factories/partners';
import { createStaff, createTenant, type TestTenant } from '../factories/tenants';

/**
 * Seed 002 from outside: a tenant whose clinic head opens its data to a partner, appointments and
 * patients written as the database owner (past ones too, which no API books), and a partner that
 * follows the feed and keeps what it was told.
 */
export interface PartnerDataWorld {
  app: TestServer;
  tenant: TestTenant;
  headToken: string;
  centre: CentreWithSchedules;
  partnerId: string;
  partnerToken: string;
}

export async function buildPartnerDataWorld(app: TestServer): Promise<PartnerDataWorld> {
  const tenant = await createTenant(app);
  const headToken = (await createStaff(app, tenant, ['CLINIC_HEAD'])).token;
  const centre = await createCentreWithSchedules(app, tenant, { schedules: 2 });
  const partnerId = await createPartner(app, tenant, { kind: 'NOTIFICATION_SERVICE' });
  const partnerToken = await createPartnerAppToken(app, tenant, partnerId);
  return { app, tenant, headToken, centre, partnerId, partnerToken };
}

export const ACCESS_FIELDS = 'partnerId state openedAt beginsAt closedAt';
export const OPEN_ACCESS = `mutation($input: PartnerIdInput!) { openPartnerDataAccess(input: $input) { ${ACCESS_FIELDS} } }`;
export const CLOSE_ACCESS = `mutation($input: PartnerIdInput!) { closePartnerDataAccess(input: $input) { ${ACCESS_FIELDS} } }`;
const CHANGE_FIELDS = `kind cursor appointment { id start end status centreId serviceId practitionerName patient { id familyName givenName patronymic phone } }
  removed { entity id patientId reason }`;
export const FEED = `query($after: String, $first: Int) {
  partnerAppointments(after: $after, first: $first) { access { ${ACCESS_FIELDS} } changes { ${CHANGE_FIELDS} } cursor hasMore reset }
}`;
export const FEED_STREAM = `subscription($after: String) { partnerAppointmentChanged(after: $after) { ${CHANGE_FIELDS} } }`;

export interface SharedAppointmentData {
  id: string;
  start: string;
  end: string;
  status: string;
  centreId: string;
  serviceId: string;
  practitionerName: string | null;
  patient: { id: string; familyName: string; givenName: string; patronymic: string | null; phone: string | null };
}
export interface ChangeData {
  kind: 'UPSERT' | 'REMOVE' | 'RESET' | 'ACCESS_CLOSED';
  cursor: string | null;
  appointment: SharedAppointmentData | null;
  removed: { entity: 'APPOINTMENT' | 'PATIENT'; id: string; patientId: string | null; reason: string } | null;
}
export interface FeedPageData {
  access: { state: string; beginsAt: string | null };
  changes: ChangeData[];
  cursor: string | null;
  hasMore: boolean;
  reset: boolean;
}

export const openAccess = (world: PartnerDataWorld) => gqlOk<{ openPartnerDataAccess: { state: string; beginsAt: string } }>(
  world.app, OPEN_ACCESS, { input: { partnerId: world.partnerId } }, world.headToken);
export const closeAccess = (world: PartnerDataWorld) => gqlOk(world.app, CLOSE_ACCESS, { input: { partnerId: world.partnerId } }, world.headToken);

/** Moves the opening back, as if 24 hours had passed. */
export const backdateOpening = (world: PartnerDataWorld, hours = 25) => asOwner(world.app, (db) => db.query(
  `UPDATE partner_data_access SET opened_at = opened_at - make_interval(hours => $3) WHERE tenant_id = $1 AND partner_id = $2`,
  [world.tenant.tenantId, world.partnerId, hours],
));

export const feedPage = async (world: PartnerDataWorld, after?: string | null, first = 100, token = world.partnerToken) =>
  (await gqlOk<{ partnerAppointments: FeedPageData }>(world.app, FEED, { after: after ?? null, first }, token)).partnerAppointments;

/** What a partner holds after applying changes: appointments by id. */
export class PartnerReplica {
  readonly appointments = new Map<string, SharedAppointmentData>();
  cursor: string | null = null;

  apply(change: ChangeData): void {
    if (change.kind === 'RESET' || change.kind === 'ACCESS_CLOSED') this.appointments.clear();
    if (change.kind === 'UPSERT') this.appointments.set(change.appointment!.id, change.appointment!);
    if (change.kind === 'REMOVE' && change.removed!.entity === 'APPOINTMENT') this.appointments.delete(change.removed!.id);
    if (change.kind === 'REMOVE' && change.removed!.entity === 'PATIENT') {
      for (const [id, appointment] of this.appointments) if (appointment.patient.id === change.removed!.id) this.appointments.delete(id);
    }
    if (change.cursor) this.cursor = change.cursor;
  }

  /** Follows the sync query from its cursor until nothing more waits. */
  async sync(world: PartnerDataWorld, first = 100): Promise<FeedPageData[]> {
    const pages: FeedPageData[] = [];
    for (;;) {
      const page = await feedPage(world, this.cursor, first);
      pages.push(page);
      if (page.reset) this.appointments.clear();
      for (const change of page.changes) this.apply(change);
      this.cursor = page.cursor;
      if (!page.hasMore) return pages;
    }
  }

  /**
   * Syncs until `arrived` holds for what came (or 5 s pass): a change committed a moment ago may
   * still sit above the feed's horizon while an older transaction of the database runs — by
   * design, the feed never reads past it. Answers every page read.
   */
  async syncUntil(world: PartnerDataWorld, arrived: (pages: FeedPageData[]) => boolean): Promise<FeedPageData[]> {
    const pages = await this.sync(world);
    for (const deadline = Date.now() + 5_000; !arrived(pages) && Date.now() < deadline;) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      pages.push(...await this.sync(world));
    }
    return pages;
  }

  ids(): string[] {
    return [...this.appointments.keys()].sort();
  }
}

export function asOwner<T>(app: TestServer, work: (db: import('pg').Client) => Promise<T>): Promise<T> {
  return withPgClient(app.databaseUrl, work);
}

export interface Consents {
  dataProcessingRefused?: boolean;
  allNotificationsRefused?: boolean;
  advertisingRefused?: boolean;
}

export async function insertPatient(world: PartnerDataWorld, consents: Consents = {}, familyName = `Fam${randomUUID().slice(0, 6)}`): Promise<string> {
  return asOwner(world.app, async (db) => (await db.query<{ id: string }>(
    `INSERT INTO patients (tenant_id, family_name, given_name, patronymic, phone, personal_identity_number,
                           data_processing_refused, all_notifications_refused, advertising_refused)
     VALUES ($1, $2, 'Given', 'Patron', '+46 70 000 00 00', $3, $4, $5, $6) RETURNING id`,
    [world.tenant.tenantId, familyName, `PIN-${randomUUID().slice(0, 12)}`, consents.dataProcessingRefused ?? false, consents.allNotificationsRefused ?? false, consents.advertisingRefused ?? false],
  )).rows[0].id);
}

/** An appointment at an exact start (any time: past ones too), 15 minutes long. */
export async function insertAppointment(
  world: PartnerDataWorld,
  input: { start: Date; patientId: string; schedule?: number; anonymous?: boolean; status?: string },
): Promise<string> {
  return asOwner(world.app, async (db) => (await db.query<{ id: string }>(
    `INSERT INTO appointments (tenant_id, schedule_id, service_id, patient_id, starts_at, ends_at, anonymous, status)
     VALUES ($1, $2, $3, $4, $5, $5::timestamptz + interval '15 minutes', $6, $7) RETURNING id`,
    [world.tenant.tenantId, world.centre.scheduleIds[input.schedule ?? 0], world.centre.serviceIds[0], input.patientId, input.start, input.anonymous ?? false, input.status ?? 'BOOKED'],
  )).rows[0].id);
}

export const DAY_MS = 86_400_000;
/** Now plus whole days and minutes, on a whole minute (distinct minutes keep appointments apart). */
export const daysFromNow = (days: number, minutes = 0): Date => new Date(Math.floor((Date.now() + days * DAY_MS) / 60_000) * 60_000 + minutes * 60_000);

export const setConsents = (world: PartnerDataWorld, patientId: string, consents: Consents) =>
  gqlOk(world.app, 'mutation($input: UpdatePatientInput!) { updatePatient(input: $input) { id } }', { input: { id: patientId, consents } }, world.tenant.adminToken);

export const setBan = (world: PartnerDataWorld, practitionerId: string, dataSharingBanned: boolean) =>
  gqlOk(world.app, 'mutation($input: UpdatePractitionerInput!) { updatePractitioner(input: $input) { id } }', { input: { id: practitionerId, dataSharingBanned } }, world.tenant.adminToken);

/** Shifts the feed's clock (careslot_now) by this many days from the database's time; 0 clears it. */
export const shiftClock = (app: TestServer, days: number) => asOwner(app, (db) => db.query(
  `INSERT INTO careslot_clock (only_row, shift) VALUES (true, make_interval(days => $1)) ON CONFLICT (only_row) DO UPDATE SET shift = excluded.shift`, [days],
));

export { gql };
