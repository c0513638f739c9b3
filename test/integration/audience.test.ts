import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { audienceKey } from '../../src/context/audience';
import type { Principal, StaffUserPrincipal } from '../../src/context/principal';
import { RequestContext } from '../../src/context/request-context';
import { STAFF_PERMISSIONS, type StaffPermission, type StaffRole } from '../../src/entities';
import { groupKeyOf } from '../../src/http/websocket';
import type { AgendaEvent } from '../../src/services/common/agenda-topic';
import { gqlOk } from '../helpers/graphql-client';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { createCentreWithSchedules, everyDay } from '../factories/catalog';
import { createTenant, type TestTenant } from '../factories/tenants';

const ROLES: StaffRole[] = ['ADMIN', 'CLINIC_HEAD', 'SCHEDULER', 'VIEWER'];
const PERMISSIONS: StaffPermission[] = [...STAFF_PERMISSIONS];

const staff = (tenantId: string, roles: StaffRole[], permissions: StaffPermission[] = [], userId: string = randomUUID()): StaffUserPrincipal =>
  ({ kind: 'STAFF_USER', tenantId, credentialId: randomUUID(), userId, roles, permissions });

/** What a principal may see, spelled out: the key must follow exactly this. */
function view(principal: Principal): string {
  if (principal.kind === 'STAFF_USER') return `${principal.tenantId}|${[...principal.roles].sort().join()}|${[...principal.permissions].sort().join()}`;
  return `${principal.kind}|${principal.tenantId}|${principal.credentialId}`;
}

describe('one audience key: what may be shared between callers', () => {
  it('is equal exactly when two staff principals see the same (tenant, roles, permissions), whoever the user is', () => {
    const tenants = [randomUUID(), randomUUID()];
    // Roles in any order: the order a token lists them in changes nothing.
    const principal = fc.record({
      tenant: fc.constantFrom(...tenants),
      roles: fc.shuffledSubarray(ROLES, { minLength: 1 }),
      permissions: fc.shuffledSubarray(PERMISSIONS),
    }).map(({ tenant, roles, permissions }) => staff(tenant, roles, permissions));
    fc.assert(fc.property(principal, principal, (a, b) => (audienceKey(a) === audienceKey(b)) === (view(a) === view(b))));
  });

  it('never groups partner or peer principals of different credentials, nor them with staff', () => {
    const tenantId = randomUUID();
    const partner = (credentialId: string): Principal => ({ kind: 'PARTNER_APP', tenantId, credentialId, partnerId: 'p-1' });
    const peer = (credentialId: string): Principal => ({ kind: 'PEER_SERVER', tenantId, credentialId, shareId: credentialId });
    const keys = [partner(randomUUID()), partner(randomUUID()), peer(randomUUID()), peer(randomUUID()), staff(tenantId, ['VIEWER'])].map(audienceKey);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('groups live subscribers by it: the same operation seen by another audience is another group (another execution, another frame)', () => {
    const tenantId = randomUUID();
    const payload = { query: 'subscription($c: ID!) { agendaChanged(centreId: $c) { kind } }', variables: { c: randomUUID() } };
    const viewer = staff(tenantId, ['VIEWER']);
    expect(groupKeyOf(staff(tenantId, ['VIEWER']), payload)).toBe(groupKeyOf(viewer, payload));
    expect(groupKeyOf(staff(tenantId, ['ADMIN']), payload)).not.toBe(groupKeyOf(viewer, payload));
    expect(groupKeyOf(staff(randomUUID(), ['VIEWER']), payload)).not.toBe(groupKeyOf(viewer, payload));
    expect(groupKeyOf(staff(tenantId, ['VIEWER'], PERMISSIONS), payload)).not.toBe(groupKeyOf(viewer, payload));
  });

  describe('the re-read of a live event', () => {
    let app: TestServer;
    let tenant: TestTenant;
    let event: AgendaEvent;

    beforeAll(async () => {
      // The reads are counted as the pool's connections: the engagement index's poller (every 250 ms by default) must not take one meanwhile.
      app = await startTestServer({ config: { ENGAGEMENT_INDEX_POLL_MS: 3_600_000 } });
      tenant = await createTenant(app);
      const centre = await createCentreWithSchedules(app, tenant, { schedules: 1, openingHours: everyDay('00:00', '24:00'), slotMinutes: 30, services: [{ durationMinutes: 30 }] });
      const booked = await gqlOk<{ bookAppointment: { id: string } }>(app, `mutation($input: BookAppointmentInput!) { bookAppointment(input: $input) { ... on Appointment { id } } }`, {
        input: {
          scheduleId: centre.scheduleIds[0], serviceId: centre.serviceIds[0], start: new Date(Math.ceil(Date.now() / 86_400_000) * 86_400_000 + 86_400_000).toISOString(),
          newPatient: { familyName: 'Audience', givenName: 'Test' }, idempotencyKey: randomUUID(),
        },
      }, tenant.adminToken);
      event = { tenantId: tenant.tenantId, centreId: centre.centreId, appointmentId: booked.bookAppointment.id, kind: 'CREATED' };
    });
    afterAll(() => app.close());

    /** How many transactions the re-reads of one event by these callers cost, and what each was answered. */
    async function readsFor(principals: Principal[]): Promise<{ transactions: number; answers: Array<Promise<unknown>> }> {
      // A new event object: the reads are cached per event delivered.
      const delivered = { ...event };
      const spy = jest.spyOn(app.server.database.pool, 'connect');
      try {
        const answers = principals.map((principal) => app.server.services.agenda.appointmentOf(new RequestContext(app.server.database.tenants, principal, app.server.logger), delivered));
        await Promise.all(answers);
        return { transactions: spy.mock.calls.length, answers };
      } finally {
        spy.mockRestore();
      }
    }

    it('is shared by subscribers of one audience (one read for three viewers)', async () => {
      const viewers = [staff(tenant.tenantId, ['VIEWER']), staff(tenant.tenantId, ['VIEWER']), staff(tenant.tenantId, ['VIEWER'])];
      const { transactions, answers } = await readsFor(viewers);
      expect(transactions).toBe(1);
      expect(await answers[0]).toMatchObject({ id: event.appointmentId });
    });

    it('is never shared across audiences: a viewer, a scheduler and a viewer with a permission each read for themselves', async () => {
      const principals = [staff(tenant.tenantId, ['VIEWER']), staff(tenant.tenantId, ['SCHEDULER']), staff(tenant.tenantId, ['VIEWER'], PERMISSIONS)];
      const { transactions, answers } = await readsFor(principals);
      expect(transactions).toBe(3);
      expect(new Set(answers).size).toBe(3);
    });
  });
});
