import type { PoolClient } from 'pg';
import { gqlOk } from '../helpers/graphql-client';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { createTenant, type TestTenant } from '../factories/tenants';
import { createCentreWithSchedules, type CentreWithSchedules } from '../factories/catalog';
import { SlotAllocator, key } from '../support/scheduling';

/**
 * The partner wall in PostgreSQL, second to the services: as the app role, with a tenant and a
 * partner scope set by hand, a partner's transaction sees and writes only its partner's rows;
 * other bookings reach it only as time, through careslot_busy_time.
 */
describe('partner scope (row-level security) as the app role', () => {
  let app: TestServer;
  let tenant: TestTenant;
  let centre: CentreWithSchedules;
  const partners: Record<'a' | 'b', string> = { a: '', b: '' };
  const bookings: Record<'a' | 'b' | 'local', string> = { a: '', b: '', local: '' };

  beforeAll(async () => {
    app = await startTestServer();
    tenant = await createTenant(app);
    centre = await createCentreWithSchedules(app, tenant);
    for (const name of ['a', 'b'] as const) {
      partners[name] = (await gqlOk<{ createPartner: { id: string } }>(app, `mutation($input: CreatePartnerInput!) { createPartner(input: $input) { id } }`,
        { input: { name: `Partner ${name}`, kind: 'OTHER' } }, tenant.adminToken)).createPartner.id;
    }
    await gqlOk(app, `mutation($input: SetTrafficChannelsInput!) { setTrafficChannels(input: $input) { centreId } }`,
      { input: { centreId: centre.centreId, rows: [{ serviceId: centre.serviceIds[0], partnerIds: [partners.a, partners.b] }] } }, tenant.adminToken);
    const slots = new SlotAllocator(centre.scheduleIds, { firstDay: 3 });
    const book = async (partnerId?: string) => {
      const slot = slots.next();
      const input = { scheduleId: slot.scheduleId, serviceId: centre.serviceIds[0], start: slot.start, newPatient: { familyName: 'Scope', givenName: 'Test' }, idempotencyKey: key() };
      if (!partnerId) return (await gqlOk<{ bookAppointment: { id: string } }>(app, `mutation($input: BookAppointmentInput!) { bookAppointment(input: $input) { ... on Appointment { id } } }`, { input }, tenant.adminToken)).bookAppointment.id;
      await app.server.database.tenants.transaction(tenant.tenantId, (tx) => tx.query(`UPDATE users SET permissions = '{PARTNER_BOOKING}' WHERE tenant_id = $1`, [tx.tenantId]));
      return (await gqlOk<{ bookForPartner: { id: string } }>(app, `mutation($input: BookForPartnerInput!) { bookForPartner(input: $input) { ... on PartnerBooking { id } } }`,
        { input: { ...input, partnerId } }, tenant.adminToken)).bookForPartner.id;
    };
    bookings.local = await book();
    app.server.services.authenticator.close(); // the admin's permission was set by hand: look the token up again
    bookings.a = await book(partners.a);
    bookings.b = await book(partners.b);
  });
  afterAll(() => app?.close());

  async function asPartner<T>(partnerId: string | null, work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await app.server.database.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`SELECT set_config('app.tenant_id', $1, true), set_config('app.partner_id', $2, true)`, [tenant.tenantId, partnerId ?? '']);
      return await work(client);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  }

  const ids = async (client: PoolClient, sql: string) => (await client.query<{ id: string }>(sql)).rows.map((row) => row.id).sort();

  it('without a partner scope (staff), every row of the tenant', async () => {
    await asPartner(null, async (client) => {
      expect(await ids(client, 'SELECT id FROM appointments')).toEqual([bookings.a, bookings.b, bookings.local].sort());
      expect(await ids(client, 'SELECT id FROM partners')).toEqual([partners.a, partners.b].sort());
    });
  });

  it("partner A's scope: only A's appointments, partner row and channels", async () => {
    await asPartner(partners.a, async (client) => {
      expect(await ids(client, 'SELECT id FROM appointments')).toEqual([bookings.a]);
      expect(await ids(client, 'SELECT id FROM partners')).toEqual([partners.a]);
      expect((await client.query('SELECT DISTINCT partner_id FROM traffic_channels')).rows).toEqual([{ partner_id: partners.a }]);
      expect((await client.query('SELECT count(*)::int AS n FROM users')).rows[0].n).toBe(0);
    });
  });

  it("partner A's scope: the tenant's other appointments only while A's data access is open and has begun (seed 002), and only A's access row", async () => {
    const setAccess = (openedHoursAgo: number | null, closed = false) => app.server.database.tenants.transaction(tenant.tenantId, (tx) => openedHoursAgo === null
      ? tx.query('DELETE FROM partner_data_access WHERE tenant_id = $1', [tx.tenantId])
      : tx.query(`INSERT INTO partner_data_access (tenant_id, partner_id, opened_at, opened_by, closed_at) VALUES ($1, $2, now() - make_interval(hours => $3), 'test', $4)
                  ON CONFLICT (tenant_id, partner_id) DO UPDATE SET opened_at = excluded.opened_at, closed_at = excluded.closed_at`,
      [tx.tenantId, partners.a, openedHoursAgo, closed ? new Date() : null]));
    try {
      await setAccess(23);
      await asPartner(partners.a, async (client) => expect(await ids(client, 'SELECT id FROM appointments')).toEqual([bookings.a]));
      await setAccess(25);
      await asPartner(partners.a, async (client) => {
        expect(await ids(client, 'SELECT id FROM appointments')).toEqual([bookings.a, bookings.b, bookings.local].sort());
        expect((await client.query('SELECT partner_id FROM partner_data_access')).rows).toEqual([{ partner_id: partners.a }]);
      });
      await asPartner(partners.b, async (client) => {
        expect(await ids(client, 'SELECT id FROM appointments')).toEqual([bookings.b]);
        expect((await client.query('SELECT partner_id FROM partner_data_access')).rows).toEqual([]);
      });
      await setAccess(25, true);
      await asPartner(partners.a, async (client) => expect(await ids(client, 'SELECT id FROM appointments')).toEqual([bookings.a]));
    } finally {
      await setAccess(null);
    }
  });

  it("partner A's scope cannot write a booking for B, nor change B's", async () => {
    await asPartner(partners.a, async (client) => {
      const changed = await client.query(`UPDATE appointments SET note = 'x' WHERE id = $1`, [bookings.b]);
      expect(changed.rowCount).toBe(0);
      await expect(client.query(
        `INSERT INTO appointments (tenant_id, schedule_id, service_id, starts_at, ends_at, origin, partner_id)
         VALUES ($1, $2, $3, now() + interval '400 days', now() + interval '400 days 30 minutes', 'PARTNER_APP', $4)`,
        [tenant.tenantId, centre.scheduleIds[0], centre.serviceIds[0], partners.b],
      )).rejects.toMatchObject({ code: '42501' });
    });
  });

  it("others' bookings reach a partner as time only, through careslot_busy_time", async () => {
    const busyAs = (partnerId: string | null) => asPartner(partnerId, async (client) => (await client.query<{ busy: string }>(
      `SELECT careslot_busy_time($1, $2, now(), now() + interval '30 days')::text AS busy`, [tenant.tenantId, centre.scheduleIds[0]])).rows[0]!.busy);
    const seenByStaff = await busyAs(null);
    expect(seenByStaff).not.toBe('{}');
    expect(await busyAs(partners.a)).toBe(seenByStaff);
    // …and the partner scope is back once the function returns.
    await asPartner(partners.a, async (client) => {
      await client.query(`SELECT careslot_busy_time($1, $2, now(), now() + interval '30 days')`, [tenant.tenantId, centre.scheduleIds[0]]);
      expect(await ids(client, 'SELECT id FROM appointments')).toEqual([bookings.a]);
    });
  });
});
