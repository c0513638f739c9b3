jest.mock('type-graphql', () => jest.requireActual('../helpers/subscription-schema-shim').typeGraphqlWithPubSub());
import request from 'supertest';
import { connectWs } from '../helpers/ws-client';
import { gql } from '../helpers/graphql-client';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { createTenant } from '../factories/tenants';
import { FailingTestResolver, LimitsTestResolver } from '../helpers/test-resolvers';

it('explore', async () => {
  const app: TestServer = await startTestServer({ config: { MAX_DEPTH: 4, MAX_ALIASES: 3, MAX_COST: 41, MAX_TOKENS: 100, BODY_LIMIT_BYTES: 2048 }, extraResolvers: [LimitsTestResolver, FailingTestResolver] });
  try {
    const t = await createTenant(app);
    const log = (name: string, r: any) => console.log(name, r.status, JSON.stringify({ data: r.data, errors: r.errors, body: r.body, text: r.text?.slice?.(0, 300) }));
    log('depth4', await gql(app, '{ testNode { child { child { n } } } }', {}, t.adminToken));
    log('depth5', await gql(app, '{ testNode { child { child { child { n } } } } }', {}, t.adminToken));
    log('alias4', await gql(app, '{ a: __typename b: __typename c: __typename d: __typename }', {}, t.adminToken));
    log('cost41', await gql(app, '{ users(first: 20) { nodes { id } } }', {}, t.adminToken));
    log('cost43', await gql(app, '{ users(first: 21) { nodes { id } } }', {}, t.adminToken));
    log('cost42?', await gql(app, '{ users(first: 20) { nodes { id } } __typename }', {}, t.adminToken));
    log('tokens101', await gql(app, `{ ${'__typename '.repeat(99)} }`, {}, t.adminToken));
    log('tokens100', await gql(app, `{ ${'__typename '.repeat(98)} }`, {}, t.adminToken));
    log('batch', await request(app.url).post('/graphql').set('content-type', 'application/json').set('authorization', `Bearer ${t.adminToken}`).send([{ query: '{ __typename }' }]));
    log('textplain', await request(app.url).post('/graphql').set('content-type', 'text/plain').set('authorization', `Bearer ${t.adminToken}`).send(JSON.stringify({ query: '{ __typename }' })));
    log('form', await request(app.url).post('/graphql').type('form').set('authorization', `Bearer ${t.adminToken}`).send({ query: '{ __typename }' }));
    log('textplain+preflight', await request(app.url).post('/graphql').set('content-type', 'text/plain').set('apollo-require-preflight', 'true').set('authorization', `Bearer ${t.adminToken}`).send(JSON.stringify({ query: '{ __typename }' })));
    log('getmut', await request(app.url).get('/graphql').query({ query: 'mutation { __typename }' }).set('apollo-require-preflight', 'true').set('authorization', `Bearer ${t.adminToken}`));
    log('getcsrf', await request(app.url).get('/graphql').query({ query: '{ __typename }' }).set('authorization', `Bearer ${t.adminToken}`));
    log('badjson', await request(app.url).post('/graphql').set('content-type', 'application/json').set('authorization', `Bearer ${t.adminToken}`).send('{"query": '));
    log('413', await request(app.url).post('/graphql').set('content-type', 'application/json').set('authorization', `Bearer ${t.adminToken}`).send(JSON.stringify({ query: '{ __typename }' + ' '.repeat(3000) })));
    log('page101', await gql(app, '{ users(first: 101) { nodes { id } } }', {}, t.adminToken));
    log('canary', await gql(app, '{ canaryError canaryHolder { deep } canaryGraphQLError }', {}, t.adminToken));
    const ws = connectWs(app.url, t.adminToken);
    const s = ws.subscribe('subscription { testTicks(count: 2) { n child { n } } }');
    console.log('ws', JSON.stringify(await s.next()), JSON.stringify(await s.next()));
    const s2 = ws.subscribe('subscription { canaryTicks }');
    console.log('ws canaryTicks', JSON.stringify(await s2.next().catch((e) => String(e))), JSON.stringify(s2.errors));
    const s3 = ws.subscribe('subscription { canarySourceFails }');
    console.log('ws source', JSON.stringify(await s3.next(500).catch((e) => String(e))), JSON.stringify(s3.errors));
    const s4 = ws.subscribe('subscription { testTicks { child { child { child { n } } } } }');
    console.log('ws depth', JSON.stringify(await s4.next(500).catch((e) => String(e))), JSON.stringify(s4.errors));
    await ws.dispose();
  } finally {
    await app.close();
  }
});
