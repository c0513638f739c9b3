import { randomUUID } from 'node:crypto';
import { buildClientSchema, getIntrospectionQuery, getNamedType, isInputObjectType, type GraphQLSchema, type IntrospectionQuery } from 'graphql';
import request from 'supertest';
import { createCentre } from '../factories/catalog';
import { createStaff, createTenant, type TestTenant } from '../factories/tenants';
import { errorCode, gql, gqlOk } from '../helpers/graphql-client';
import { memoryLogger } from '../helpers/memory-logger';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { keywordOf, minimalSelection, rootFields, validButUnreasonable } from '../support/schema-walk';

/**
 * Every bad request gets a stable code and a requestId that its log line carries: malformed ids
 * are refused at the edge naming the argument, operations that cannot be resolved are BAD_REQUEST,
 * a subscription over HTTP is told where subscriptions live, and a caller without the role learns
 * FORBIDDEN before it learns the rules of the input.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MALFORMED_IDS = ['1; DROP TABLE centre; --', '', '\u0000', 'not-a-uuid', '12345'];

describe('bad requests', () => {
  const logs = memoryLogger();
  let app: TestServer;
  let tenant: TestTenant;
  let viewerToken: string;
  let schema: GraphQLSchema;
  let centreId: string;

  beforeAll(async () => {
    app = await startTestServer({ logger: logs.logger });
    tenant = await createTenant(app);
    viewerToken = (await createStaff(app, tenant, ['VIEWER'])).token;
    centreId = await createCentre(app, tenant);
    schema = buildClientSchema(await gqlOk<IntrospectionQuery>(app, getIntrospectionQuery(), {}, tenant.adminToken));
  });
  afterAll(() => app.close());

  const post = (body: Record<string, unknown>, token = tenant.adminToken) =>
    request(app.url).post('/graphql').set('content-type', 'application/json').set('accept', 'application/graphql-response+json')
      .set('authorization', `Bearer ${token}`).send(body);

  /** The requestId answered, and that a log line carries it. */
  function expectLoggedRequestId(body: { errors: Array<{ extensions: { requestId?: string } }> }): void {
    const requestId = body.errors[0]!.extensions.requestId;
    expect(requestId).toMatch(UUID);
    expect(logs.lines().some((line) => line.requestId === requestId)).toBe(true);
  }

  describe('malformed ids', () => {
    it.each(MALFORMED_IDS)('answers shareLinks(centreId: %j) BAD_USER_INPUT naming the argument', async (bad) => {
      const response = await post({ query: `{ shareLinks(centreId: ${JSON.stringify(bad)}) { nodes { id } } }` });
      expect(response.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', fields: [{ field: 'centreId', problems: [expect.any(String)] }] });
      expect(response.body.data).toBeUndefined();
      expectLoggedRequestId(response.body);
    });

    it('refuses a real id with spaces around it, as a literal and as a variable', async () => {
      const padded = ` ${centreId} `;
      expect((await post({ query: `{ centre(id: ${JSON.stringify(padded)}) { id } }` })).body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', fields: [{ field: 'id' }] });
      const asVariable = await gql(app, 'query($id: ID!) { centre(id: $id) { id } }', { id: padded }, tenant.adminToken);
      expect(errorCode(asVariable)).toBe('BAD_USER_INPUT');
      expect(asVariable.errors![0]!.extensions!.fields).toEqual([{ field: 'id', problems: [expect.any(String)] }]);
      // The same id, well formed, is found.
      expect((await gql(app, 'query($id: ID!) { centre(id: $id) { id } }', { id: centreId }, tenant.adminToken)).data).toEqual({ centre: { id: centreId } });
    });

    it('names the field inside an input and a list', async () => {
      const response = await gql(app, 'mutation($input: CreateScheduleInput!) { createSchedule(input: $input) { id } }',
        { input: { centreId, name: 'x', slotMinutes: 15, serviceIds: [randomUUID(), 'nope'] } }, tenant.adminToken);
      expect(errorCode(response)).toBe('BAD_USER_INPUT');
      expect(response.errors!.flatMap((error) => error.extensions!.fields)).toContainEqual({ field: 'input.serviceIds[1]', problems: [expect.any(String)] });
    });

    it('refuses a malformed literal id for every ID argument of every operation, never reaching the database', async () => {
      let checked = 0;
      for (const { root, field } of rootFields(schema)) {
        for (const argument of field.args.filter((arg) => getNamedType(arg.type).name === 'ID')) {
          const query = `${keywordOf(root)} { ${field.name}(${argument.name}: "1; DROP TABLE centre; --") ${minimalSelection(getNamedType(field.type))} }`;
          const response = await post({ query });
          const codes = (response.body.errors as Array<{ extensions: { code: string; fields?: Array<{ field: string }> } }>);
          expect({ field: field.name, ids: codes.filter((e) => e.extensions.code === 'BAD_USER_INPUT').flatMap((e) => e.extensions.fields!.map((f) => f.field)) })
            .toEqual({ field: field.name, ids: [argument.name] });
          checked += 1;
        }
      }
      expect(checked).toBeGreaterThan(5);
    });
  });

  describe('strings PostgreSQL cannot store', () => {
    it('refuses NUL in a string, as a literal and as a variable, naming the field, and stores nothing', async () => {
      const literal = await post({ query: `{ patients(search: "a\\u0000b") { nodes { id } } }` });
      expect(literal.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', fields: [{ field: 'search' }] });
      const variable = await gql(app, 'mutation($input: NewPatientInput!) { createPatient(input: $input) { id } }',
        { input: { familyName: 'Nul\u0000Name', givenName: 'Ann' } }, tenant.adminToken);
      expect(errorCode(variable)).toBe('BAD_USER_INPUT');
      expect(variable.errors![0]!.extensions!.fields).toEqual([{ field: 'input.familyName', problems: [expect.any(String)] }]);
      const found = await gqlOk<{ patients: { nodes: unknown[] } }>(app, '{ patients(search: "Nul") { nodes { id } } }', {}, tenant.adminToken);
      expect(found.patients.nodes).toEqual([]);
    });
  });

  describe('operations that cannot be resolved', () => {
    it('answers a persisted-query request without its text BAD_REQUEST (persisted queries are not supported)', async () => {
      const response = await post({ extensions: { persistedQuery: { version: 1, sha256Hash: 'ab'.repeat(32) } } });
      expect(response.status).toBe(400);
      expect(response.body.errors[0].extensions.code).toBe('BAD_REQUEST');
      expectLoggedRequestId(response.body);
    });

    it('answers two operations without operationName BAD_REQUEST with a logged requestId', async () => {
      const response = await post({ query: 'query A { __typename } query B { __typename }' });
      expect(response.status).toBe(400);
      expect(response.body.errors[0].extensions.code).toBe('BAD_REQUEST');
      expect(response.body.errors[0].message).toMatch(/operationName/);
      expectLoggedRequestId(response.body);
    });

    it('answers an unknown operationName BAD_REQUEST', async () => {
      const response = await post({ query: 'query A { __typename }', operationName: 'Nope' });
      expect(response.status).toBe(400);
      expect(response.body.errors[0]).toMatchObject({ message: 'The document has no operation named "Nope"', extensions: { code: 'BAD_REQUEST' } });
      expectLoggedRequestId(response.body);
    });

    it('tells a subscription sent over HTTP where subscriptions are served, and runs nothing', async () => {
      const response = await post({ query: `subscription { agendaChanged(centreId: "${centreId}") { kind } }` });
      expect(response.status).toBe(400);
      expect(response.body.errors[0]).toMatchObject({
        message: 'Subscriptions are served over WebSocket (graphql-ws) at /graphql', extensions: { code: 'BAD_REQUEST' },
      });
      expectLoggedRequestId(response.body);
    });
  });

  describe('roles before input validation', () => {
    it.each([
      ['testShareLink', 'TestShareLinkInput', { url: 'not a url', remoteCentreId: randomUUID(), token: 'x' }],
      ['createShareLink', 'CreateShareLinkInput', { url: 'not a url', remoteCentreId: randomUUID(), token: 'x', centreId: randomUUID(), label: '' }],
      ['updatePatient', 'UpdatePatientInput', { id: randomUUID(), phone: 'letters are not a phone number' }],
    ])('answers a VIEWER\'s %s with bad input FORBIDDEN, not its validation rules', async (mutation, inputType, input) => {
      const response = await gql(app, `mutation($input: ${inputType}!) { ${mutation}(input: $input) { __typename } }`, { input }, viewerToken);
      expect(errorCode(response)).toBe('FORBIDDEN');
      expect(response.errors![0]!.extensions!.fields).toBeUndefined();
    });

    it('answers every mutation FORBIDDEN to a VIEWER, whatever its input', async () => {
      const mutations = rootFields(schema).filter(({ root }) => root === 'Mutation');
      for (const { field } of mutations) {
        const input = field.args.find((arg) => arg.name === 'input');
        if (!input || !isInputObjectType(getNamedType(input.type))) continue;
        const typeName = getNamedType(input.type).name;
        const response = await gql(app, `mutation($input: ${typeName}!) { ${field.name}(input: $input) ${minimalSelection(getNamedType(field.type))} }`,
          { input: validButUnreasonable(input.type, randomUUID) }, viewerToken);
        expect({ mutation: field.name, code: errorCode(response) }).toEqual({ mutation: field.name, code: 'FORBIDDEN' });
      }
      expect(mutations.length).toBeGreaterThan(20);
    });
  });
});
