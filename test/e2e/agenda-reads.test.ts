import { randomUUID } from 'node:crypto';
import { errorCode, gql, gqlOk } from '../helpers/graphql-client';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { createCentreWithSchedules, createSchedule, everyDay, type CentreWithSchedules } from '../factories/catalog';
import { createTenant, type TestTenant } from '../factories/tenants';

/**
 * The agenda reads exactly what it is asked, in one statement, and answers what the per-item
 * resolvers answer: every field of appointments, schedules, practitioners, patients and services,
 * selected in any combination, equals the same selection read one appointment at a time.
 */
const APPOINTMENT = 'id centreId scheduleId serviceId patientId start end status origin anonymous note partnerId viaShare cancellation { reasonCode reasonText } createdAt updatedAt';
const NESTED = `schedule { id centreId practitionerId name slotMinutes active practitioner { id name qualifications dataSharingBanned } }
  patient { id familyName givenName patronymic phone personalIdentityNumber consents { dataProcessingRefused allNotificationsRefused advertisingRefused } }
  service { id code name durationMinutes requiredQualification }`;
/** Fields with resolvers of their own, read beside the embedded ones. */
const RESOLVED = 'history { action toStatus } partner { id } displayMarker schedule { openingHours { weekday } sharedFrom { remoteCentreName } }';

const agendaOf = (selection: string, first: number) => `query($c: ID!, $after: String) {
  appointments(filter: { centreId: $c }, first: ${first}, after: $after) { nodes { ${selection} } pageInfo { hasNextPage endCursor } } }`;
const oneOf = (selection: string) => `query($id: ID!) { appointment(id: $id) { ${selection} } }`;

type Node = Record<string, unknown> & { id: string };

describe('agenda reads: selection-aware, one statement, pages of up to 1,000', () => {
  let app: TestServer;
  let tenant: TestTenant;
  let centre: CentreWithSchedules;

  beforeAll(async () => {
    app = await startTestServer();
    tenant = await createTenant(app);
    centre = await createCentreWithSchedules(app, tenant, {
      schedules: 2, openingHours: everyDay('00:00', '24:00'), slotMinutes: 30, services: [{ durationMinutes: 30 }], qualifications: ['physio'],
    });
    // A schedule without a practitioner: its practitioner is null, embedded or loaded.
    const bare = await createSchedule(app, tenant, { centreId: centre.centreId, serviceIds: centre.serviceIds, practitionerId: null, slotMinutes: 30, openingHours: everyDay('00:00', '24:00') });
    const schedules = [...centre.scheduleIds, bare];
    const base = Math.ceil(Date.now() / 86_400_000) * 86_400_000 + 86_400_000;
    const ids: string[] = [];
    for (let i = 0; i < 24; i++) {
      const booked = await gqlOk<{ bookAppointment: { id: string } }>(app, `mutation($input: BookAppointmentInput!) { bookAppointment(input: $input) { ... on Appointment { id } } }`, {
        input: {
          scheduleId: schedules[i % 3], serviceId: centre.serviceIds[0], start: new Date(base + Math.floor(i / 3) * 1_800_000).toISOString(), idempotencyKey: randomUUID(),
          note: i % 4 === 0 ? `note ${i}` : undefined, anonymous: i % 5 === 0,
          newPatient: { familyName: `Family${i}`, givenName: 'Test', phone: i % 2 ? '+4790000000' : undefined, personalIdentityNumber: i % 3 ? undefined : `1990010${String(i).padStart(2, '0')}1234`,
            consents: { advertisingRefused: i % 2 === 0 } },
        },
      }, tenant.adminToken);
      ids.push(booked.bookAppointment.id);
    }
    await gqlOk(app, 'mutation($input: CancelAppointmentInput!) { cancelAppointment(input: $input) { id } }', {
      input: { appointmentId: ids[4], reasonCode: 'PATIENT_REQUEST', reasonText: 'ill', idempotencyKey: randomUUID() },
    }, tenant.adminToken);
  });
  afterAll(() => app.close());

  const agenda = async (selection: string, first = 1000, after?: string) => {
    const response = await gql<{ appointments: { nodes: Node[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } }>(
      app, agendaOf(selection, first), { c: centre.centreId, after }, tenant.adminToken);
    expect(response.errors).toBeUndefined();
    return { ...response.data!.appointments, statements: response.sqlStatements };
  };
  const one = async (selection: string, id: string) => (await gqlOk<{ appointment: Node }>(app, oneOf(selection), { id }, tenant.adminToken)).appointment;

  it('answers every field and relation as the per-item resolvers do, in one statement', async () => {
    const selection = `${APPOINTMENT} ${NESTED}`;
    const page = await agenda(selection);
    expect(page.statements).toBe(1);
    expect(page.nodes).toHaveLength(24);
    for (const node of page.nodes) expect(node).toEqual(await one(selection, node.id));
    expect(page.nodes.some((node) => node.cancellation !== null)).toBe(true);
    expect(page.nodes.some((node) => (node.schedule as { practitioner: unknown }).practitioner === null)).toBe(true);
  });

  it('answers narrow and aliased selections, and fields with resolvers of their own beside embedded ones', async () => {
    for (const selection of ['id', 'start', 'schedule { name }', 'patient { familyName consents { advertisingRefused } }', `when: start ${RESOLVED}`, `${RESOLVED} patient { id }`]) {
      // Fields resolved per row are priced per row: pages of 100 here.
      const page = await agenda(selection, 100);
      expect(page.nodes).toHaveLength(24);
      const ids = (await agenda('id')).nodes.map((node) => node.id);
      for (const [index, node] of page.nodes.entries()) expect({ selection, node }).toEqual({ selection, node: await one(selection, ids[index]) });
    }
  });

  it('pages by cursor to the same rows, in the same order, as one page', async () => {
    const whole = (await agenda('id start')).nodes;
    const paged: Node[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await agenda('id start', 7, after);
      paged.push(...page.nodes);
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor!;
    }
    expect(paged).toEqual(whole);
  });

  it('takes pages of up to 1,000 priced by their rows; what each row resolves on its own is priced per row', async () => {
    expect((await agenda(`id ${NESTED}`, 1000)).nodes).toHaveLength(24);
    const tooLarge = await gql(app, agendaOf('id', 1001), { c: centre.centreId }, tenant.adminToken);
    expect(errorCode(tooLarge)).toBe('BAD_USER_INPUT');
    const perRow = await gql(app, agendaOf(`id ${RESOLVED}`, 1000), { c: centre.centreId }, tenant.adminToken);
    expect(errorCode(perRow)).toBe('QUERY_TOO_COMPLEX');
  });
});
