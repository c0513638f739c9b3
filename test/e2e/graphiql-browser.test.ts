import type { Browser, Page, Request, WebSocket } from 'playwright-core';
import { DEMO_CENTRES } from '../../src/demo/demo-agenda';
import { DEMO_TENANTS, seedDemoData } from '../../src/demo/seed-demo-data';
import { gqlOk } from '../helpers/graphql-client';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { itWithScreenshot, launchChromium } from '../support/browser/chromium';
import { GraphiqlPage } from '../support/browser/graphiql-page';
import { until } from '../support/browser/until';

/**
 * GraphiQL in a real browser (Debian's Chromium, driven by playwright-core) against a real
 * server with the demo data, as a new user meets it: opened from the link `npm start` prints,
 * it signs in, loads the schema, runs the example tabs, receives live events over WebSocket,
 * keeps the sign-in over a reload and forgets it on sign-out, all from the server itself.
 * The tests run in order on one page, as one visit.
 */

const EXAMPLE_TABS = ['CentresAndThisWeek', 'BookAppointment', 'HoldSlot', 'CancelAppointment', 'AgendaChanged', 'CreateScheduleShare', 'CreateShareLink', 'PartnerFlow', 'BookToPartner', 'PartnerFeed'];
/** The centres of the first demo tenant, whose admin signs in. */
const DEMO_CENTRE_NAMES = DEMO_CENTRES[DEMO_TENANTS[0].id]!.map((centre) => centre.name).sort();
/** The shape of a token (cst_… sign-in, csl_… share link), to make sure none is stored where it must not be. */
const ANY_TOKEN = /cs[tl]_[0-9a-f]{64}_/;

describe('GraphiQL in a browser', () => {
  let server: TestServer;
  let admin: { email: string; token: string };
  let browser: Browser;
  let page: Page;
  let graphiql: GraphiqlPage;
  const requests: Request[] = [];
  const websockets: WebSocket[] = [];
  const framesSent: Array<{ type?: string; payload?: { query?: string } }> = [];
  const consoleErrors: string[] = [];
  /** The link token CreateScheduleShare answered in the page. */
  let shareToken: string;

  beforeAll(async () => {
    browser = await launchChromium(); // first: without Chromium, nothing else is started
    server = await startTestServer();
    admin = (await seedDemoData(server.server)).admins[0]!;
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    graphiql = new GraphiqlPage(page);
    page.on('request', (request) => requests.push(request));
    page.on('websocket', (socket) => {
      websockets.push(socket);
      socket.on('framesent', ({ payload }) => framesSent.push(JSON.parse(String(payload)) as (typeof framesSent)[number]));
    });
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(error.message));
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  // Each test leaves a screenshot under .data/test-results/browser when it fails.
  const it = (name: string, body: () => Promise<void>): void => itWithScreenshot(name, () => page, body);

  /** Books the first free slot of the centre from outside the browser (another client); the appointment id. */
  async function bookFromAnotherClient(centreId: string): Promise<string> {
    const from = new Date(Date.now() + 60 * 60_000);
    const to = new Date(from.getTime() + 7 * 24 * 60 * 60_000);
    const { centre } = await gqlOk<{ centre: { schedules: Array<{ id: string; active: boolean; services: Array<{ id: string }> }> } }>(
      server, 'query($id: ID!) { centre(id: $id) { schedules { id active services { id } } } }', { id: centreId }, admin.token,
    );
    const schedule = centre.schedules.find((each) => each.active && each.services.length > 0)!;
    const serviceId = schedule.services[0]!.id;
    const { availability } = await gqlOk<{ availability: { schedules: Array<{ scheduleId: string; slots: Array<{ start: string; state: string }> }> } }>(
      server,
      'query($c: ID!, $from: Instant!, $to: Instant!, $s: ID!) { availability(centreId: $c, from: $from, to: $to, serviceId: $s) { schedules { scheduleId slots { start state } } } }',
      { c: centreId, from: from.toISOString(), to: to.toISOString(), s: serviceId }, admin.token,
    );
    const slot = availability.schedules.find((each) => each.scheduleId === schedule.id)!.slots.find((each) => each.state === 'FREE')!;
    const { bookAppointment } = await gqlOk<{ bookAppointment: { __typename: string; id?: string } }>(
      server,
      'mutation($input: BookAppointmentInput!) { bookAppointment(input: $input) { __typename ... on Appointment { id } } }',
      { input: { scheduleId: schedule.id, serviceId, start: slot.start, newPatient: { familyName: 'Browser', givenName: 'Test' }, idempotencyKey: `browser-${Date.now()}-${Math.random()}` } },
      admin.token,
    );
    expect(bookAppointment.__typename).toBe('Appointment');
    return bookAppointment.id!;
  }

  /**
   * graphql-ws does not acknowledge a subscription: book until the result pane shows the event
   * of one of the bookings (the first, unless the server was still registering it).
   */
  async function bookUntilTheResultShowsIt(centreId: string): Promise<string> {
    for (let attempt = 1; ; attempt++) {
      const appointmentId = await bookFromAnotherClient(centreId);
      try {
        await graphiql.untilEditor('result', (text) => text.includes(appointmentId), `the agendaChanged event of ${appointmentId}`, 2000);
        return appointmentId;
      } catch (error) {
        if (attempt === 5) throw error;
      }
    }
  }

  const subscribeFrames = (operationName: string) => framesSent.filter((frame) => frame.type === 'subscribe' && frame.payload?.query?.includes(operationName));

  /**
   * GraphiQL saves its tabs and editors up to half a second after a change; a reload before
   * that brings back the unsaved text in a tab of its own. Wait for the saving first.
   */
  async function untilTabsAreSaved(): Promise<void> {
    const tabs = await graphiql.tabTitles();
    const query = await graphiql.editor('query');
    // As the page stores them: tokens blanked out.
    const variables = (await graphiql.editor('variables')).replace(/\b(cs[tl])_[0-9a-f]{64}_[\w-]{43}/g, '$1_REDACTED');
    await until(() => graphiql.storage('localStorage'), (stored) => {
      const saved = JSON.parse(stored['graphiql:tabState'] ?? 'null') as { tabs: Array<{ query: string; variables: string | null }>; activeTabIndex: number } | null;
      const active = saved?.tabs[saved.activeTabIndex];
      return saved?.tabs.length === tabs.length && active?.query === query && stored['graphiql:query'] === query &&
        (active?.variables ?? '') === variables && (stored['graphiql:variables'] ?? '') === variables;
    }, `GraphiQL to save its ${tabs.length} tabs and the active one's editors`);
  }

  it('opens signed in from the link npm start prints, with the example tabs', async () => {
    await page.goto(`${server.url}/graphiql#token=${admin.token}`);
    await graphiql.loaded();

    expect(await graphiql.signedInAs()).toBe(admin.email);
    expect(await graphiql.sessionBarText()).toMatch(/ADMIN/);
    expect(page.url()).toBe(`${server.url}/graphiql`);
    expect(await graphiql.tabTitles()).toEqual(EXAMPLE_TABS);
    expect(await graphiql.editor('headers')).toContain(`Bearer ${admin.token}`);
    expect((await graphiql.storage('sessionStorage'))['careslot:graphiql:authorization']).toBe(`Bearer ${admin.token}`);
    expect(JSON.stringify(await graphiql.storage('localStorage'))).not.toMatch(ANY_TOKEN);
    // Browsers ask for /favicon.ico on their own: it is there, a 32×32 icon.
    expect(await graphiql.imageSize('/favicon.ico')).toEqual([32, 32]);
  });

  it('lists Query.availability in the Docs', async () => {
    await page.getByRole('button', { name: 'Show Documentation Explorer' }).click();
    await page.locator('.graphiql-doc-explorer-type-name', { hasText: /^Query$/ }).click();

    await page.locator('.graphiql-doc-explorer-field-name', { hasText: /^availability$/ }).waitFor();
    await page.getByRole('button', { name: 'Hide Documentation Explorer' }).click();
  });

  it("answers the first tab's query with the tenant's centres and this week's availability", async () => {
    expect(await graphiql.activeTabTitle()).toBe('CentresAndThisWeek');
    await graphiql.run();

    const result = await graphiql.untilResult<{ data?: any; errors?: unknown }>((shown) => 'data' in shown || 'errors' in shown, 'an answer');
    expect(result.errors).toBeUndefined();
    expect(result.data.centres.nodes.map((centre: { name: string }) => centre.name).sort()).toEqual(DEMO_CENTRE_NAMES);
    expect(result.data.availability.schedules.length).toBeGreaterThan(0);
  });

  it('runs the booking, holding, cancelling, sharing and linking tabs as they stand', async () => {
    const answerOf = async (tab: string, field: string): Promise<any> => {
      if ((await graphiql.activeTabTitle()) !== tab) await graphiql.selectTab(tab);
      await graphiql.run();
      const result = await graphiql.untilResult<{ data?: any; errors?: unknown }>((shown) => Boolean(shown.data?.[field]) || 'errors' in shown, `the answer of ${tab}`);
      expect(result.errors).toBeUndefined();
      return result.data[field];
    };

    expect(await answerOf('BookAppointment', 'bookAppointment')).toMatchObject({ __typename: 'Appointment', status: 'BOOKED' });
    expect(await answerOf('HoldSlot', 'holdSlot')).toMatchObject({ __typename: 'Hold', expiresAt: expect.any(String) });
    expect(await answerOf('CancelAppointment', 'cancelAppointment')).toMatchObject({ status: 'CANCELLED', cancellation: { reasonCode: 'PATIENT_REQUEST' } });
    shareToken = (await answerOf('CreateScheduleShare', 'createScheduleShare')).token;
    expect(shareToken).toMatch(/^csl_/);
    // The link tab fills in with what the share answered (the token is shown only once).
    await graphiql.selectTab('CreateShareLink');
    await graphiql.untilEditor('variables', (text) => text.includes(shareToken), 'the token of the share');
    const link = await answerOf('CreateShareLink', 'createShareLink');
    expect(link).toMatchObject({ __typename: 'ShareLinkOk', link: { label: 'Linked from GraphiQL' } });
    expect(DEMO_CENTRE_NAMES).toContain(link.remoteCentreName);
    expect(JSON.stringify(await graphiql.storage('localStorage'))).not.toMatch(ANY_TOKEN);
  });

  it('fills the seed-001 tab with a partner, a centre, a service and a green slot; both its operations run as they stand', async () => {
    const answerOf = async (tab: string, field: string): Promise<any> => {
      await graphiql.selectTab(tab);
      expect(await graphiql.editor('variables')).not.toMatch(/"</);
      await graphiql.run();
      const result = await graphiql.untilResult<{ data?: any; errors?: unknown }>((shown) => Boolean(shown.data?.[field]) || 'errors' in shown, `the answer of ${tab}`);
      expect(result.errors).toBeUndefined();
      return result.data;
    };

    const flow = await answerOf('PartnerFlow', 'partnerCentres');
    expect(flow.viewer.can.bookForPartners).toBe(true);
    expect(flow.partnerServices.length).toBeGreaterThan(0);
    expect(flow.partnerPatient).toMatchObject({ familyName: 'Andersson' });
    const booked = await answerOf('BookToPartner', 'bookForPartner');
    expect(booked.bookForPartner).toMatchObject({ __typename: 'PartnerBooking', status: 'BOOKED', origin: 'PARTNER_BOOKING' });
  });

  it('receives in a subscription started in the page a booking made by another client', async () => {
    await graphiql.selectTab('AgendaChanged');
    const { centreId } = JSON.parse(await graphiql.editor('variables')) as { centreId: string };
    await graphiql.run();
    await until(() => subscribeFrames('AgendaChanged').length, (count) => count === 1, 'the subscription to go out over WebSocket');

    const appointmentId = await bookUntilTheResultShowsIt(centreId);

    expect(JSON.parse(await graphiql.editor('result'))).toMatchObject({ data: { agendaChanged: { kind: 'CREATED', appointmentId } } });
    await graphiql.run(); // ■ stops it
  });

  it('sends a subscription pasted and run at once over WebSocket, not HTTP', async () => {
    const { centres } = await gqlOk<{ centres: { nodes: Array<{ id: string }> } }>(server, '{ centres { nodes { id } } }', {}, admin.token);
    const centreId = centres.nodes[0]!.id;
    await graphiql.addTab();
    // A new tab opens on a query. Once GraphiQL has parsed it, its own guess (createFetcher
    // looks at the parsed document) would take what is pasted next for that query.
    expect(await graphiql.editor('query')).toContain('query WhoAmI');
    await until(() => graphiql.parsedOperation(), (operation) => operation === 'query', "GraphiQL to parse the new tab's query");

    await graphiql.pasteAndRunAtOnce(`# query { looks like a query, but is a comment }
subscription PastedAgenda { agendaChanged(centreId: "${centreId}") { kind appointmentId } }`);

    await until(() => subscribeFrames('PastedAgenda').length, (count) => count === 1, 'the pasted subscription to go out over WebSocket');
    expect(requests.filter((request) => request.postData()?.includes('PastedAgenda'))).toEqual([]);
    await bookUntilTheResultShowsIt(centreId);
    await graphiql.run(); // ■ stops it
  });

  it('keeps the sign-in over a reload, without adding a tab', async () => {
    await graphiql.selectTab('CreateShareLink');
    await untilTabsAreSaved();
    const tabs = await graphiql.tabTitles();

    await graphiql.reload();

    expect(await graphiql.signedInAs()).toBe(admin.email);
    expect(await graphiql.tabTitles()).toEqual(tabs);
    expect(await graphiql.activeTabTitle()).toBe('CreateShareLink');
    expect(await graphiql.editor('headers')).toContain(`Bearer ${admin.token}`);
    // The share's token is kept for this browser tab only: localStorage has none, the tab has it.
    await graphiql.untilEditor('variables', (text) => text.includes(shareToken), 'the token of the share');
    expect(JSON.stringify(await graphiql.storage('localStorage'))).not.toMatch(ANY_TOKEN);
  });

  it('forgets the sign-in on sign-out, closes the WebSocket and says how to sign in', async () => {
    await graphiql.selectTab('AgendaChanged');
    await graphiql.run();
    await until(() => subscribeFrames('AgendaChanged').length, (count) => count === 2, 'the subscription to go out over WebSocket');
    const socket = websockets.at(-1)!;
    await untilTabsAreSaved();
    const tabs = await graphiql.tabTitles();

    await graphiql.signOut();

    await until(() => socket.isClosed(), (closed) => closed, 'the WebSocket to close');

    expect(await graphiql.sessionBarText()).toMatch(/^Not signed in\. .*npm start.*"Authorization": "Bearer cst_…"/);
    expect(await graphiql.tabTitles()).toEqual(tabs);
    expect(await graphiql.editor('headers')).not.toMatch(/authorization/i);
    expect(JSON.stringify(await graphiql.storage('sessionStorage'))).not.toMatch(ANY_TOKEN);
    expect(JSON.stringify(await graphiql.storage('localStorage'))).not.toMatch(ANY_TOKEN);
    await graphiql.selectTab('CentresAndThisWeek');
    await graphiql.run();
    await graphiql.untilEditor('result', (text) => text.includes('Not signed in'), 'the sign-in hint');
  });

  it('signs in again with a pasted Authorization header', async () => {
    await Promise.all([
      page.waitForEvent('load'),
      graphiql.pasteHeaders(JSON.stringify({ Authorization: `Bearer ${admin.token}` })),
    ]);
    await graphiql.loaded();

    expect(await graphiql.signedInAs()).toBe(admin.email);
    expect((await graphiql.storage('sessionStorage'))['careslot:graphiql:authorization']).toBe(`Bearer ${admin.token}`);
  });

  it('made every request to the server itself, and the console stayed clean', async () => {
    const origin = new URL(server.url).origin;
    expect(requests.length).toBeGreaterThan(10);
    expect(requests.map((request) => request.url()).filter((url) => new URL(url).origin !== origin)).toEqual([]);
    expect(websockets.length).toBeGreaterThan(0);
    expect(websockets.map((socket) => socket.url()).filter((url) => new URL(url).host !== new URL(origin).host)).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });
});
