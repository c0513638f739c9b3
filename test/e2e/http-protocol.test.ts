jest.mock('type-graphql', () => jest.requireActual('../helpers/subscription-schema-shim').typeGraphqlWithPubSub());
import request from 'supertest';
import pino from 'pino';
import { Writable } from 'node:stream';
import { gql } from '../helpers/graphql-client';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { createTenant } from '../factories/tenants';
import { FailingTestResolver } from '../helpers/test-resolvers';

it('explore', async () => {
  const lines: string[] = [];
  const stream = new Writable({ write(chunk, _e, cb) { lines.push(String(chunk)); cb(); } });
  const logger = pino({ level: 'info' }, stream);
  const app: TestServer = await startTestServer({ config: { NODE_ENV: 'production', CORS_ORIGINS: ['https://app.example'] }, logger, extraResolvers: [FailingTestResolver] });
  try {
    const t = await createTenant(app);
    const log = (name: string, r: any) => console.log(name, r.status, JSON.stringify(r.headers), JSON.stringify({ data: r.data, errors: r.errors, body: r.body, text: r.text?.slice?.(0, 300) }));
    log('canary', await gql(app, '{ canaryCustom canaryAsync }', { secretVar: 'zzz' }, t.adminToken));
    log('val', await gql(app, 'mutation($input: CreateUserInput!) { createUser(input: $input) { id } }', { input: { email: 'not-an-email-xyz', displayName: '', roles: ['VIEWER'] } }, t.adminToken));
    log('val2', await gql(app, 'mutation($input: CreateUserInput!) { createUser(input: $input) { id } }', { input: { email: 'a@b.example', displayName: 'x', roles: ['NOPE_ROLE'] } }, t.adminToken));
    log('get-gr', await request(app.url).get('/graphql').query({ query: '{ viewer { kind } }' }).set('apollo-require-preflight', 'true').set('accept', 'application/graphql-response+json').set('authorization', `Bearer ${t.adminToken}`));
    log('get-json', await request(app.url).get('/graphql').query({ query: '{ viewer { kind } }' }).set('apollo-require-preflight', 'true').set('accept', 'application/json').set('authorization', `Bearer ${t.adminToken}`));
    log('get-ct-json', await request(app.url).get('/graphql').query({ query: '{ viewer { kind } }' }).set('content-type', 'application/json').set('authorization', `Bearer ${t.adminToken}`));
    log('cors-ok', await request(app.url).post('/graphql').set('origin', 'https://app.example').set('content-type', 'application/json').set('authorization', `Bearer ${t.adminToken}`).send({ query: '{ viewer { kind } }' }));
    log('cors-bad', await request(app.url).post('/graphql').set('origin', 'https://evil.example').set('content-type', 'application/json').set('authorization', `Bearer ${t.adminToken}`).send({ query: '{ viewer { kind } }' }));
    log('preflight-ok', await request(app.url).options('/graphql').set('origin', 'https://app.example').set('access-control-request-method', 'POST').set('access-control-request-headers', 'content-type,authorization'));
    log('preflight-bad', await request(app.url).options('/graphql').set('origin', 'https://evil.example').set('access-control-request-method', 'POST'));
    const g = await request(app.url).get('/graphiql').set('accept', 'text/html');
    console.log('graphiql', g.status, g.headers['content-type'], g.text.length, g.text.match(/https?:\/\/[^\s"'<>]*/g));
    const g2 = await request(app.url).get('/graphql').set('accept', 'text/html');
    console.log('graphiql2', g2.status, g2.headers['content-type'], g2.text.length);
    const m = await request(app.url).get('/metrics');
    console.log('metrics', m.status, m.headers['content-type'], m.text.split('\n').filter(l => l.includes('careslot_graphql_operation_duration_seconds')).slice(0, 5));
    console.log('readyz', (await request(app.url).get('/readyz')).status, (await request(app.url).get('/healthz')).body);
    console.log(lines.join(''));
  } finally {
    await app.close();
  }
});
