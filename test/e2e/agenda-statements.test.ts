import { randomUUID } from 'node:crypto';
import { gql, gqlOk } from '../helpers/graphql-client';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { createCentreWithSchedules, everyDay } from '../factories/catalog';
import { createTenant } from '../factories/tenants';

const AGENDA = `query($c: ID!) { appointments(filter: { centreId: $c }, first: 100) {
  nodes { id start schedule { name practitioner { name } } patient { familyName } } } }`;

/** A centre's agenda with schedule, practitioner and patient: at most 3 statements, whatever its size. */
describe('agenda query statement count', () => {
  let app: TestServer;
  beforeAll(async () => {
    app = await startTestServer();
  });
  afterAll(() => app.close());

  async function agendaWith(appointments: number, schedules: number): Promise<number> {
    const tenant = await createTenant(app);
    const centre = await createCentreWithSchedules(app, tenant, { schedules, openingHours: everyDay('00:00', '24:00'), slotMinutes: 30, services: [{ durationMinutes: 30 }] });
    const base = Math.ceil(Date.now() / 86_400_000) * 86_400_000 + 86_400_000;
    for (let i = 0; i < appointments; i++) {
      await gqlOk(app, `mutation($input: BookAppointmentInput!) { bookAppointment(input: $input) { __typename } }`, {
        input: {
          scheduleId: centre.scheduleIds[i % schedules], serviceId: centre.serviceIds[0], start: new Date(base + Math.floor(i / schedules) * 1_800_000).toISOString(),
          newPatient: { familyName: `P${i}`, givenName: 'Test' }, idempotencyKey: randomUUID(),
        },
      }, tenant.adminToken);
    }
    const response = await gql(app, AGENDA, { c: centre.centreId }, tenant.adminToken);
    expect(response.errors).toBeUndefined();
    expect(response.data!.appointments.nodes).toHaveLength(appointments);
    return response.sqlStatements;
  }

  it('uses the same, at most 3, statements for 1 appointment in 1 schedule and 50 in 10', async () => {
    const small = await agendaWith(1, 1);
    const large = await agendaWith(50, 10);
    expect(small).toBeLessThanOrEqual(3);
    expect(large).toBe(small);
  });
});
