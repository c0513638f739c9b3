import express, { type Express } from 'express';
import { buildSchema, getOperationAST, getVariableValues, parse, validate } from 'graphql';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Script } from 'node:vm';
import request from 'supertest';
import { GRAPHIQL_EXAMPLE_FACTS, GRAPHIQL_EXAMPLES, GRAPHIQL_NEW_TAB_QUERY, type GraphiqlExample } from '../../src/http/graphiql/graphiql-examples';
import type { GraphiqlPageConfig } from '../../src/http/graphiql/graphiql-page';
import { graphiqlRouter } from '../../src/http/graphiql/graphiql-router';
import { issueToken } from '../../src/platform/opaque-token';

const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';
const FELL_THROUGH = { fellThrough: true };

function appWithGraphiql(mountPath = '/'): Express {
  const app = express();
  app.use(mountPath, graphiqlRouter({ endpointPath: '/graphql', title: 'careslot <GraphiQL>' }));
  app.all(`${mountPath === '/' ? '' : mountPath}/graphql`, (_req, res) => {
    res.json(FELL_THROUGH);
  });
  return app;
}

function urlsInSrcAndHref(html: string): string[] {
  return [...html.matchAll(/\b(?:src|href)\s*=\s*["']([^"']*)["']/gi)].map((match) => match[1] ?? '');
}

function urlsInCss(css: string): string[] {
  return [...css.matchAll(/url\(\s*["']?([^"')]+)["']?\s*\)/g)].map((match) => match[1] ?? '');
}

function pageConfig(html: string): GraphiqlPageConfig {
  const json = /<script type="application\/json" id="graphiql-config">(.*?)<\/script>/s.exec(html)?.[1];
  if (json === undefined) throw new Error('page has no graphiql-config');
  return JSON.parse(json) as GraphiqlPageConfig;
}

const EXPECTED_CONTENT_TYPE_BY_EXTENSION: Readonly<Record<string, RegExp>> = {
  js: /^text\/javascript; charset=utf-8$/,
  css: /^text\/css; charset=utf-8$/,
  woff2: /^font\/woff2$/,
  woff: /^font\/woff$/,
  png: /^image\/png$/,
  svg: /^image\/svg\+xml$/,
};

function expectedContentType(url: string): RegExp {
  const extension = url.slice(url.lastIndexOf('.') + 1);
  const contentType = EXPECTED_CONTENT_TYPE_BY_EXTENSION[extension];
  if (contentType === undefined) throw new Error(`unexpected asset ${url}`);
  return contentType;
}

/** supertest parser that keeps a binary body as it came (`response` is the node:http response). */
function binary(response: any, done: (error: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  response.on('data', (chunk: Buffer) => chunks.push(chunk));
  response.on('end', () => done(null, Buffer.concat(chunks)));
}

describe('graphiqlRouter', () => {
  const app = appWithGraphiql();

  it.each(['/graphiql', '/graphql'])('serves the GraphiQL page to a browser at GET %s', async (path) => {
    const response = await request(app).get(path).set('Accept', BROWSER_ACCEPT).expect(200);

    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.text).toContain('<div id="graphiql">');
    expect(response.text).toContain('<title>careslot &lt;GraphiQL&gt;</title>');
    expect(pageConfig(response.text).endpoint).toBe('/graphql');
  });

  it('marks the endpoint page as varying with Accept', async () => {
    const response = await request(app).get('/graphql').set('Accept', BROWSER_ACCEPT).expect(200);

    expect(response.headers['vary']).toMatch(/\bAccept\b/);
  });

  it('sends a CSP that allows only this origin and a per-response style nonce', async () => {
    const first = await request(app).get('/graphiql').set('Accept', BROWSER_ACCEPT).expect(200);
    const second = await request(app).get('/graphiql').set('Accept', BROWSER_ACCEPT).expect(200);

    const csp = String(first.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|data:|blob:|https?:|\*/);
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeDefined();
    expect(first.text).toContain(`nonce="${nonce}"`);
    expect(second.headers['content-security-policy']).not.toBe(csp);
  });

  it('has no inline script, handler or style attribute: the CSP would refuse them', async () => {
    const { text: html } = await request(app).get('/graphiql').set('Accept', BROWSER_ACCEPT).expect(200);

    expect(html).not.toMatch(/\son[a-z]+\s*=/i);
    expect(html).not.toMatch(/\sstyle\s*=/i);
    for (const script of html.matchAll(/<script\b([^>]*)>(.*?)<\/script>/gs)) {
      if (!/type="application\/json"/.test(script[1] ?? '')) expect(script[2]).toBe('');
    }
  });

  it('references only same-origin URLs', async () => {
    const { text: html } = await request(app).get('/graphiql').set('Accept', BROWSER_ACCEPT).expect(200);

    const urls = urlsInSrcAndHref(html);
    expect(urls.length).toBeGreaterThanOrEqual(6);
    for (const url of urls) expect(url).toMatch(/^\/(?!\/)/);
    expect(html).not.toMatch(/\b(?:https?|wss?):\/\//i);
  });

  it('serves every referenced asset with its content type and a long immutable cache lifetime', async () => {
    const { text: html } = await request(app).get('/graphiql').set('Accept', BROWSER_ACCEPT).expect(200);

    for (const url of urlsInSrcAndHref(html)) {
      const asset = await request(app).get(url).expect(200);
      expect(asset.headers['content-type']).toMatch(expectedContentType(url));
      expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    }
  });

  it("serves the stylesheet's fonts and images from this server instead of data: URLs", async () => {
    const { text: html } = await request(app).get('/graphiql').set('Accept', BROWSER_ACCEPT).expect(200);
    const stylesheetUrl = urlsInSrcAndHref(html).find((url) => url.endsWith('.css'));
    if (stylesheetUrl === undefined) throw new Error('page links no stylesheet');
    const { text: css } = await request(app).get(stylesheetUrl).buffer(true).expect(200);

    const urls = urlsInCss(css);
    expect(urls.length).toBeGreaterThan(0);
    for (const url of urls) {
      expect(url).not.toMatch(/^(?:data:|[a-z]+:|\/\/)/i);
      const resolved = new URL(url, `http://careslot.test${stylesheetUrl}`);
      expect(resolved.host).toBe('careslot.test');
      const asset = await request(app).get(resolved.pathname).expect(200);
      expect(asset.headers['content-type']).toMatch(expectedContentType(resolved.pathname));
    }
  });

  it('answers an unknown asset with 404', async () => {
    await request(app).get('/graphiql/assets/unknown/graphiql.min.js').expect(404);
  });

  it('links its icon, and answers /favicon.ico with an ICO holding a 32×32 PNG', async () => {
    const { text: html } = await request(app).get('/graphiql').set('Accept', BROWSER_ACCEPT).expect(200);
    const iconUrl = /<link rel="icon" href="([^"]+)"/.exec(html)?.[1];
    expect(iconUrl).toMatch(/^\/graphiql\/assets\/[^/]+\/favicon\.svg$/);
    const svg = await request(app).get(iconUrl!).buffer(true).parse(binary).expect(200);
    expect(svg.headers['content-type']).toBe('image/svg+xml');
    expect(String(svg.body)).toMatch(/^<svg [^>]*viewBox="0 0 32 32"/);

    const ico = await request(app).get('/favicon.ico').buffer(true).parse(binary).expect(200);
    expect(ico.headers['content-type']).toBe('image/x-icon');
    const body = ico.body as Buffer;
    expect([body.readUInt16LE(0), body.readUInt16LE(2), body.readUInt16LE(4)]).toEqual([0, 1, 1]);
    expect([body[6], body[7]]).toEqual([32, 32]);
    const size = body.readUInt32LE(14);
    const offset = body.readUInt32LE(18);
    expect(offset + size).toBe(body.length);
    const png = body.subarray(offset);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([32, 32]);
  });

  it('hands the page the example tabs and what each placeholder stands for', async () => {
    const { text: html } = await request(app).get('/graphiql').set('Accept', BROWSER_ACCEPT).expect(200);

    const config = pageConfig(html);
    expect(config.examples).toEqual(GRAPHIQL_EXAMPLES);
    expect(config.exampleFacts).toEqual(GRAPHIQL_EXAMPLE_FACTS);
    expect(config.newTabQuery).toBe(GRAPHIQL_NEW_TAB_QUERY);
  });

  it('lets GraphQL-over-HTTP GET with a query parameter through, even when HTML is preferred', async () => {
    const response = await request(app).get('/graphql').query({ query: '{ __typename }' }).set('Accept', BROWSER_ACCEPT);

    expect(response.body).toEqual(FELL_THROUGH);
  });

  it.each(['application/json', 'application/graphql-response+json, application/json;q=0.9', '*/*'])(
    'lets GET /graphql with Accept %s through',
    async (accept) => {
      const response = await request(app).get('/graphql').set('Accept', accept);

      expect(response.body).toEqual(FELL_THROUGH);
    },
  );

  it('lets POST /graphql through', async () => {
    const response = await request(app).post('/graphql').set('Accept', BROWSER_ACCEPT).send({ query: '{ __typename }' });

    expect(response.body).toEqual(FELL_THROUGH);
  });

  it('prefixes endpoint and asset URLs with the mount path', async () => {
    const mounted = appWithGraphiql('/api');
    const { text: html } = await request(mounted).get('/api/graphiql').set('Accept', BROWSER_ACCEPT).expect(200);

    expect(pageConfig(html).endpoint).toBe('/api/graphql');
    for (const url of urlsInSrcAndHref(html)) {
      expect(url.startsWith('/api/graphiql/assets/')).toBe(true);
      await request(mounted).get(url).expect(200);
    }
  });
});

describe('GraphiQL example tabs', () => {
  const schema = buildSchema(readFileSync(join(__dirname, '../../src/schema/schema.graphql'), 'utf8'));
  const boot = loadBootHelpers();
  // A value of the right shape for every fact, as the page would find it.
  const FACT_VALUES: Readonly<Record<string, unknown>> = {
    centreId: '6f1c1e1e-0000-4000-8000-000000000001',
    weekStart: '2026-03-30T00:00:00.000Z',
    weekEnd: '2026-04-06T00:00:00.000Z',
    scheduleId: '6f1c1e1e-0000-4000-8000-000000000002',
    serviceId: '6f1c1e1e-0000-4000-8000-000000000003',
    freeSlotStart: '2026-03-31T08:15:00.000Z',
    patientId: '6f1c1e1e-0000-4000-8000-000000000004',
    bookingKey: 'graphiql-0123456789abcdef',
    appointmentId: '6f1c1e1e-0000-4000-8000-000000000005',
    cancellationKey: 'graphiql-fedcba9876543210',
    sharedScheduleIds: ['6f1c1e1e-0000-4000-8000-000000000002'],
    clientCentreId: '6f1c1e1e-0000-4000-8000-000000000006',
    shareServerUrl: 'http://127.0.0.1:4000',
    shareCentreId: '6f1c1e1e-0000-4000-8000-000000000001',
    shareToken: 'csl_0123',
    partnerId: '6f1c1e1e-0000-4000-8000-000000000007',
    partnerCentreId: '6f1c1e1e-0000-4000-8000-000000000001',
    partnerServiceId: '6f1c1e1e-0000-4000-8000-000000000003',
    partnerScheduleId: '6f1c1e1e-0000-4000-8000-000000000002',
    partnerSlotStart: '2026-03-31T08:30:00.000Z',
    partnerBookingKey: 'graphiql-partner-0123456789',
    holdSlotStart: '2026-03-31T09:00:00.000Z',
    holdKey: 'graphiql-hold-0123456789',
  };

  it('show centres and availability, booking, holding, cancelling, the live agenda, sharing, linking, booking to a partner and the partner feed, in that order', () => {
    const rootFields = GRAPHIQL_EXAMPLES.map((example) => {
      const operation = getOperationAST(parse(example.query));
      const fields = operation?.selectionSet.selections.map((selection) => (selection.kind === 'Field' ? selection.name.value : '?'));
      return `${operation?.operation} ${fields?.join(' ')}`;
    });

    expect(rootFields).toEqual([
      'query centres availability',
      'mutation bookAppointment',
      'mutation holdSlot',
      'mutation cancelAppointment',
      'subscription agendaChanged',
      'mutation createScheduleShare',
      'mutation createShareLink',
      'query viewer partnerCentres partnerQualifications partnerPractitioners partnerServices partnerAvailability partnerPatient',
      'mutation bookForPartner',
      'query partnerDataAccess partnerAppointments',
    ]);
  });

  it.each(GRAPHIQL_EXAMPLES.map((example) => [example.operationName, example] as const))(
    '%s opens with a comment, is valid against the schema, and its filled-in variables fit it',
    (operationName, example: GraphiqlExample) => {
      expect(example.query).toMatch(/^# \S.*\n# \S/);
      const document = parse(example.query);
      expect(validate(schema, document)).toEqual([]);
      const operation = getOperationAST(document);
      expect(operation?.name?.value).toBe(operationName);

      const variables = JSON.parse(boot.variablesText(example, FACT_VALUES, GRAPHIQL_EXAMPLE_FACTS)) as Record<string, unknown>;
      const coerced = getVariableValues(schema, operation?.variableDefinitions ?? [], variables);
      expect(coerced.errors ?? []).toEqual([]);
    },
  );

  it('open a new tab on a comment and a valid query rather than GraphiQL\'s welcome', () => {
    expect(GRAPHIQL_NEW_TAB_QUERY).toMatch(/^# \S.*\n# \S/);
    expect(validate(schema, parse(GRAPHIQL_NEW_TAB_QUERY))).toEqual([]);
  });

  it('use only facts the page finds or explains', () => {
    const used = GRAPHIQL_EXAMPLES.flatMap((example) => [...JSON.stringify(example.variables).matchAll(/"\{\{(\w+)\}\}"/g)].map((match) => match[1]));

    expect(new Set(used)).toEqual(new Set(Object.keys(GRAPHIQL_EXAMPLE_FACTS)));
    expect(Object.keys(FACT_VALUES).sort()).toEqual(Object.keys(GRAPHIQL_EXAMPLE_FACTS).sort());
  });

  it('show a fact the page does not know as its hint', () => {
    const booking = GRAPHIQL_EXAMPLES.find((example) => example.operationName === 'BookAppointment')!;

    const variables = JSON.parse(boot.variablesText(booking, { scheduleId: 'the-schedule' }, GRAPHIQL_EXAMPLE_FACTS)) as { input: Record<string, unknown> };

    expect(variables.input.scheduleId).toBe('the-schedule');
    expect(variables.input.patientId).toBe(`<${GRAPHIQL_EXAMPLE_FACTS.patientId}>`);
    expect(variables.input.note).toBe('Booked from GraphiQL');
  });
});

describe('graphiql-boot.js helpers', () => {
  const boot = loadBootHelpers();

  it.each([
    ['subscription S { agendaChanged(centreId: "x") { kind } }', undefined, 'subscription'],
    ['# query Commented\nsubscription { agendaChanged(centreId: "x") { kind } }', undefined, 'subscription'],
    ['"""\nquery in a block string\n"""\nsubscription S { a }', undefined, 'subscription'],
    ['query Q { a(text: "subscription S {") }', undefined, 'query'],
    ['query Q { a(text: """ } subscription S { """) }', undefined, 'query'],
    ['query Q { a } subscription S { b }', 'S', 'subscription'],
    ['query Q { a } subscription S { b }', 'Q', 'query'],
    ['mutation M($k: String = "\\"}") { a(k: $k) }', undefined, 'mutation'],
    ['{ a }', undefined, 'query'],
    ['fragment F on T { a } subscription S($x: [Int] = [1]) @d { ...F }', undefined, 'subscription'],
  ])('reads the operation of %j (operationName %s) as a %s', (query, operationName, type) => {
    expect(boot.chosenOperation(query, operationName)?.type).toBe(type);
  });

  it('takes the only operation when GraphiQL still names the one of the text before a paste', () => {
    expect(boot.chosenOperation('# pasted\nsubscription Live { a }', 'StaleQuery')).toEqual({ type: 'subscription', name: 'Live' });
    expect(boot.chosenOperation('subscription { a }', 'StaleQuery')).toEqual({ type: 'subscription', name: undefined });
  });

  it('chooses none of several operations when no name matches', () => {
    expect(boot.chosenOperation('query A { a } subscription B { b }', undefined)).toBeUndefined();
    expect(boot.chosenOperation('query A { a } subscription B { b }', 'C')).toBeUndefined();
  });

  it('blanks out sign-in and share link tokens wherever they stand in a text to store', () => {
    const signIn = issueToken('api', '00000000-0000-4000-8000-00000000a001').token;
    const share = issueToken('shareLink', '00000000-0000-4000-8000-00000000a001').token;
    const stored = JSON.stringify({ headers: JSON.stringify({ Authorization: `Bearer ${signIn}` }), variables: `{"token": "${share}"}` });

    const scrubbed = boot.withoutCredentials(stored);

    expect(JSON.parse(scrubbed)).toEqual({ headers: '{"Authorization":"Bearer cst_REDACTED"}', variables: '{"token": "csl_REDACTED"}' });
  });
});

interface BootHelpers {
  chosenOperation(query: string, operationName?: string): { type: string; name?: string } | undefined;
  withoutCredentials(text: string): string;
  variablesText(example: GraphiqlExample, facts: Readonly<Record<string, unknown>>, hints: Readonly<Record<string, string>>): string;
}

/** The served file itself, run in a context of its own: outside a browser it only exports its helpers. */
function loadBootHelpers(): BootHelpers {
  const source = readFileSync(join(__dirname, '../../src/http/graphiql/graphiql-boot.js'), 'utf8');
  const sandbox = { module: { exports: {} as BootHelpers } };
  new Script(source, { filename: 'graphiql-boot.js' }).runInNewContext(sandbox);
  return sandbox.module.exports;
}
