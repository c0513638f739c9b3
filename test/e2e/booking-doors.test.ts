import { Client } from 'pg';
import { gql, gqlOk, type GraphQLResponse } from '../helpers/graphql-client';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { createTenant, type TestTenant } from '../factories/tenants';
import { createCentreWithSchedules, type CentreWithSchedules } from '../factories/catalog';
import { createShareOk, peerBook, peerBookInput } from '../factories/sharing';
import { SlotAllocator, key } from '../support/scheduling';

/**
 * A door's policy is checked inside the booking statement, on rows it share-locks: a change to
 * those rows made by a transaction still in flight makes the booking wait, and what that
 * transaction does decides. Deterministic: the change is held open by a connection of the test,
 * the booking is seen waiting on a lock, then the change commits or rolls back.
 */
const BOOK_FOR_PARTNER = `mutation($input: BookForPartnerInput!) {
  bookForPartner(input: $input) { __typename ... on PartnerBooking { id origin partnerId } }
}`;

describe('booking doors: a policy change in flight decides the booking', () => {
  let app: TestServer;
  let tenant: TestTenant;
  let centre: CentreWithSchedules;
  let partnerId: string;
  let partnerAppToken: string;
  let slots: SlotAllocator;
  let holder: Client;

  beforeAll(async () => {
    app = await startTestServer();
    tenant = await createTenant(app);
    centre = await createCentreWithSchedules(app, tenant, { schedules: 2 });
    slots = new SlotAllocator(centre.scheduleIds, { firstDay: 2 });
    partnerId = (await gqlOk<{ createPartner: { id: string } }>(app, `mutation($input: CreatePartnerInput!) { createPartner(input: $input) { id } }`,
      { input: { name: 'Insurer', kind: 'INSURER' } }, tenant.adminToken)).createPartner.id;
    partnerAppToken = (await gqlOk<{ createApiToken: { token: string } }>(app, `mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { token } }`,
      { input: { partnerId, label: 'insurer app' } }, tenant.adminToken)).createApiToken.token;
  });
  beforeEach(async () => {
    await activate([partnerId]);
    await app.server.database.tenants.transaction(tenant.tenantId, (tx) => tx.query('UPDATE partners SET active = true WHERE tenant_id = $1', [tx.tenantId]));
    holder = new Client({ connectionString: app.databaseUrl });
    await holder.connect();
  });
  afterEach(async () => {
    await holder.end();
  });
  afterAll(async () => {
    await app?.close();
  });

  const activate = (partnerIds: string[]) => gqlOk(app, `mutation($input: SetTrafficChannelsInput!) { setTrafficChannels(input: $input) { centreId } }`,
    { input: { centreId: centre.centreId, rows: [{ serviceId: centre.serviceIds[0], partnerIds }] } }, tenant.adminToken);

  const bookForPartner = () => {
    const slot = slots.next();
    return gql<{ bookForPartner: { __typename: string; id?: string; origin?: string } }>(app, BOOK_FOR_PARTNER, {
      input: { scheduleId: slot.scheduleId, serviceId: centre.serviceIds[0], start: slot.start, newPatient: { familyName: 'Door', givenName: 'Test' }, idempotencyKey: key() },
    }, partnerAppToken);
  };

  /** Runs `change` in the holder's open transaction, starts `booking`, waits until it waits on a lock, then ends the transaction. */
  async function withChangeInFlight<T>(change: string, params: unknown[], booking: () => Promise<T>, end: 'COMMIT' | 'ROLLBACK'): Promise<T> {
    await holder.query('BEGIN');
    await holder.query(change, params);
    const pending = booking();
    await waitingOnALock();
    await holder.query(end);
    return pending;
  }

  async function waitingOnALock(): Promise<void> {
    for (let attempt = 0; attempt < 500; attempt++) {
      const { rows } = await holder.query<{ waiting: number }>(
        `SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`,
      );
      if (rows[0]!.waiting > 0) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error('the booking never waited on the change in flight');
  }

  const appointmentCount = async () => Number((await holder.query('SELECT count(*) FROM appointments WHERE tenant_id = $1', [tenant.tenantId])).rows[0].count);

  it('a partner app books through an activated channel (the reference)', async () => {
    const response = await bookForPartner();
    expect(response.data?.bookForPartner).toMatchObject({ __typename: 'PartnerBooking', origin: 'PARTNER_APP' });
  });

  it('the channel removed meanwhile: the booking waits, then is refused, and nothing is written', async () => {
    const before = await appointmentCount();
    const response = await withChangeInFlight('DELETE FROM traffic_channels WHERE tenant_id = $1 AND partner_id = $2', [tenant.tenantId, partnerId], bookForPartner, 'COMMIT');
    expect(response.data?.bookForPartner.__typename).toBe('ServiceNotActivatedForPartner');
    expect(await appointmentCount()).toBe(before);
  });

  it('the removal rolled back: the booking waited for it, then books', async () => {
    const response = await withChangeInFlight('DELETE FROM traffic_channels WHERE tenant_id = $1 AND partner_id = $2', [tenant.tenantId, partnerId], bookForPartner, 'ROLLBACK');
    expect(response.data?.bookForPartner.__typename).toBe('PartnerBooking');
  });

  it('the centre taken offline meanwhile: the booking waits, then is refused as CentreOffline', async () => {
    try {
      const response = await withChangeInFlight('UPDATE centres SET offline = true WHERE tenant_id = $1 AND id = $2', [tenant.tenantId, centre.centreId], bookForPartner, 'COMMIT');
      expect(response.data?.bookForPartner.__typename).toBe('CentreOffline');
    } finally {
      await holder.query('UPDATE centres SET offline = false WHERE tenant_id = $1 AND id = $2', [tenant.tenantId, centre.centreId]);
    }
  });

  it('the partner deactivated meanwhile: the booking waits, then is refused as for an inactive partner', async () => {
    const before = await appointmentCount();
    const response = await withChangeInFlight('UPDATE partners SET active = false WHERE tenant_id = $1 AND id = $2', [tenant.tenantId, partnerId], bookForPartner, 'COMMIT');
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'input.partnerId' });
    expect(await appointmentCount()).toBe(before);
  });

  describe('the share door (a peer server)', () => {
    let shareToken: string;
    let shareId: string;

    beforeEach(async () => {
      const share = await createShareOk(app, tenant, { centreId: centre.centreId, scheduleIds: centre.scheduleIds });
      shareToken = share.token;
      shareId = share.share.id;
    });

    const bookThroughShare = (): Promise<GraphQLResponse<{ peerBook: { __typename: string; reason?: string } }>> => {
      const slot = slots.next();
      return peerBook(app, shareToken, peerBookInput({ scheduleId: slot.scheduleId, serviceId: centre.serviceIds[0], start: slot.start }));
    };

    it('books through a live share (the reference)', async () => {
      expect((await bookThroughShare()).data?.peerBook.__typename).toBe('PeerBooking');
    });

    it('the centre taken offline meanwhile: the peer booking waits, then is refused as the share refuses', async () => {
      try {
        const response = await withChangeInFlight('UPDATE centres SET offline = true WHERE tenant_id = $1 AND id = $2', [tenant.tenantId, centre.centreId], bookThroughShare, 'COMMIT');
        expect(response.data?.peerBook).toMatchObject({ __typename: 'ShareRefused', reason: 'CENTRE_OFFLINE' });
      } finally {
        await holder.query('UPDATE centres SET offline = false WHERE tenant_id = $1 AND id = $2', [tenant.tenantId, centre.centreId]);
      }
    });

    it('the share revoked meanwhile: the peer booking waits, then is refused with the revocation', async () => {
      const before = await appointmentCount();
      const response = await withChangeInFlight('UPDATE schedule_shares SET revoked_at = now() WHERE tenant_id = $1 AND id = $2', [tenant.tenantId, shareId], bookThroughShare, 'COMMIT');
      expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'REVOKED' });
      expect(await appointmentCount()).toBe(before);
    });
  });
});
