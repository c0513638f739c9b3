import { withPgClient } from '../../src/db/pg-client';
import { gql, gqlOk, type GraphQLResponse } from '../helpers/graphql-client';
import { FORGED_CURSORS, secondsApart, setCreatedAt, walkPages } from '../helpers/pages';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { createShareOk, revokeShare, type CreatedShareData } from '../factories/sharing';
import { createStaff, createTenant, type TestTenant } from '../factories/tenants';
import { localAt, sleep } from '../support/scheduling';
import {
  LEAN, LEAN_NO_JOBS, REMOVE_LINK, SHARE_LINKS, TOPOLOGIES, codeOf, createLink, freePort, freshAdmin, linksPage, listLinks, memoryLogger, mirrorAvailability, newClientCentre,
  setUpSides, shareAndLink, startHangingServer, startHttpStub, startTopology, testLink, untilAgendaLive, watchClientAgenda, wrongSecret,
  type ClientCentre, type LinkInput, type LinkResult, type Sides, type Stoppable, type Topology,
} from '../support/federation';
import { tokenSecret } from '../helpers/token-secret';

/**
 * The client centre's side of a link (docs/federation-protocol.md): testShareLink really
 * connects and names what is wrong; createShareLink saves only what works; more than five failed
 * attempts block the user for an hour on every instance; the token is never shown again and is
 * stored encrypted; outbound calls are guarded.
 */

const problemOf = (response: GraphQLResponse<{ testShareLink?: LinkResult; createShareLink?: LinkResult }>): LinkResult | undefined =>
  response.data?.testShareLink ?? response.data?.createShareLink;

/** The token's text, its secret, and the secret's bytes: none may be stored or answered. */
function tokenForms(token: string): Buffer[] {
  const secret = tokenSecret(token);
  return [Buffer.from(token), Buffer.from(secret), Buffer.from(secret, 'base64url')];
}

describe.each(TOPOLOGIES)('schedule sharing on %s: testing and saving a link', (name) => {
  const log = memoryLogger();
  let topology: Topology;
  let sides: Sides;
  let share: CreatedShareData;
  const credentials = (overrides: Partial<LinkInput> = {}): LinkInput => ({ url: share.serverUrl, remoteCentreId: share.centreId, token: share.token, ...overrides });
  const linkCount = () => withPgClient(topology.client.databaseUrl, async (db) =>
    Number((await db.query('SELECT count(*) FROM share_links WHERE tenant_id = $1', [sides.clientTenant.tenantId])).rows[0].count));

  beforeAll(async () => {
    topology = await startTopology(name, { clientLogger: log.logger });
    sides = await setUpSides(topology);
    const [service30] = sides.sharingCentre.serviceIds;
    share = await createShareOk(topology.sharing, sides.sharingTenant, {
      centreId: sides.sharingCentre.centreId, scheduleIds: sides.sharingCentre.scheduleIds.slice(0, 2),
      restrictions: { allowedServiceIds: [service30], earliestDaysAhead: 1, latestDaysAhead: 30, weeklyWindows: [{ weekday: 1, startTime: '08:00', endTime: '12:00' }], dailyQuota: 3 },
    });
  });
  afterAll(async () => {
    await topology?.close();
  });

  it('success: the sharing centre, the shared schedules with the services the share allows, the restrictions; nothing saved', async () => {
    const before = await linkCount();
    const result = problemOf(await testLink(topology.client, sides.clientTenant.adminToken, credentials()))!;
    expect(result).toMatchObject({
      __typename: 'ShareLinkOk', remoteCentreName: sides.sharingCentre.name, timeZone: 'Europe/Stockholm', link: null,
      restrictions: { earliestDaysAhead: 1, latestDaysAhead: 30, weeklyWindows: [{ weekday: 1, startTime: '08:00', endTime: '12:00' }], dailyQuota: 3 },
    });
    expect(result.schedules!.map((schedule) => schedule.name).sort()).toEqual(['Schedule 1', 'Schedule 2']);
    for (const schedule of result.schedules!) {
      expect(schedule.slotMinutes).toBe(15);
      expect(schedule.services.map((service) => service.durationMinutes)).toEqual([30]);
    }
    expect(await linkCount()).toBe(before);
  });

  it.each([
    ['UNKNOWN_CENTRE', 'a valid token with another centre id', () => credentials({ remoteCentreId: sides.sharingCentre.scheduleIds[2] })],
    ['BAD_TOKEN', 'a token of the right shape with a wrong secret', () => credentials({ token: wrongSecret(share.token) })],
  ])('%s: %s', async (reason, _what, input) => {
    const admin = await freshAdmin(topology.client, sides.clientTenant);
    const result = problemOf(await testLink(topology.client, admin, input()));
    expect(result).toEqual({ __typename: 'ShareLinkProblem', reason, message: expect.any(String) });
    expect(result!.message!.length).toBeGreaterThan(10);
  });

  it('REVOKED: the share was revoked', async () => {
    const revoked = await createShareOk(topology.sharing, sides.sharingTenant, { centreId: sides.sharingCentre.centreId, scheduleIds: [sides.sharingCentre.scheduleIds[0]] });
    expect(problemOf(await testLink(topology.client, sides.clientTenant.adminToken, credentials({ token: revoked.token })))!.__typename).toBe('ShareLinkOk');
    await revokeShare(topology.sharing, sides.sharingTenant.adminToken, revoked.share.id);
    const admin = await freshAdmin(topology.client, sides.clientTenant);
    expect(problemOf(await testLink(topology.client, admin, credentials({ token: revoked.token })))).toMatchObject({ __typename: 'ShareLinkProblem', reason: 'REVOKED' });
  });

  it('createShareLink saves only on success: after a failure the links, the centre\'s schedules and the stored rows are unchanged', async () => {
    const centre = await newClientCentre(sides);
    const admin = await freshAdmin(topology.client, sides.clientTenant);
    const schedulesOf = async () => (await gqlOk<{ schedules: { nodes: unknown[] } }>(topology.client, 'query($c: ID!) { schedules(centreId: $c, first: 100) { nodes { id } } }', { c: centre.centreId }, admin)).schedules.nodes;
    const [links, rows] = [await listLinks(topology.client, admin), await linkCount()];

    const failed = problemOf(await createLink(topology.client, admin, { ...credentials({ token: wrongSecret(share.token) }), centreId: centre.centreId }));
    expect(failed).toMatchObject({ __typename: 'ShareLinkProblem', reason: 'BAD_TOKEN' });
    expect(await listLinks(topology.client, admin)).toEqual(links);
    expect(await schedulesOf()).toEqual([]);
    expect(await linkCount()).toBe(rows);

    const saved = problemOf(await createLink(topology.client, admin, { ...credentials(), centreId: centre.centreId, label: 'North' }))!;
    expect(saved).toMatchObject({ __typename: 'ShareLinkOk', link: { centreId: centre.centreId, remoteUrl: share.serverUrl, remoteCentreId: share.centreId, remoteCentreName: sides.sharingCentre.name, label: 'North' } });
    expect(await listLinks(topology.client, admin, centre.centreId)).toEqual([saved.link]);
    expect(await schedulesOf()).toHaveLength(2);
  });

  it('never returns the token: no such field on a link or a link result (introspection), and not in any answer or log line', async () => {
    const types = ['ShareLink', 'ShareLinkOk', 'ShareLinkProblem', 'SharedScheduleOffer', 'SharedServiceOffer', 'SharedRestrictions', 'SharedWeeklyWindow'];
    for (const type of types) {
      const data = await gqlOk<{ __type: { fields: Array<{ name: string }> } | null }>(topology.client, `{ __type(name: "${type}") { fields { name } } }`, {}, sides.clientTenant.adminToken);
      expect(data.__type).not.toBeNull();
      expect(data.__type!.fields.map((field) => field.name).filter((field) => /token|secret|cipher/i.test(field))).toEqual([]);
    }
    const linked = await shareAndLink(sides);
    const answers = JSON.stringify([
      await listLinks(topology.client, sides.clientTenant.adminToken),
      await testLink(topology.client, sides.clientTenant.adminToken, credentials({ token: linked.token })),
      await gqlOk(topology.client, REMOVE_LINK, { input: { id: linked.linkId } }, sides.clientTenant.adminToken),
    ]);
    for (const form of tokenForms(linked.token).slice(0, 2)) expect(answers).not.toContain(form.toString());
    for (const form of tokenForms(linked.token).slice(0, 2)) expect(log.text()).not.toContain(form.toString());
  });

  it('stores the token encrypted: share_links.token_ciphertext holds neither the token nor its secret, and differs per link', async () => {
    const first = await shareAndLink(sides);
    const second = await newClientCentre(sides);
    expect(problemOf(await createLink(topology.client, sides.clientTenant.adminToken, { ...credentials({ token: first.token }), centreId: second.centreId }))!.__typename).toBe('ShareLinkOk');
    const stored = await withPgClient(topology.client.databaseUrl, async (db) => (await db.query(
      'SELECT token_ciphertext FROM share_links WHERE tenant_id = $1 AND remote_share_id = $2 ORDER BY created_at', [sides.clientTenant.tenantId, first.shareId],
    )).rows.map((row) => row.token_ciphertext as Buffer));
    expect(stored).toHaveLength(2);
    for (const ciphertext of stored) {
      expect(ciphertext.length).toBeGreaterThan(0);
      for (const form of tokenForms(first.token)) expect(ciphertext.includes(form)).toBe(false);
      expect(ciphertext.toString('latin1')).not.toContain(tokenSecret(first.token));
    }
    expect(stored[0].equals(stored[1])).toBe(false);
  });

  it('removeShareLink: the link leaves shareLinks and its shared schedules leave the client\'s agenda', async () => {
    const linked = await shareAndLink(sides);
    expect((await mirrorAvailability(sides, linked, sides.sharingCentre.scheduleIds[0], localAt(2, 0), localAt(3, 0)))?.free.length).toBeGreaterThan(0);
    await gqlOk(topology.client, REMOVE_LINK, { input: { id: linked.linkId } }, sides.clientTenant.adminToken);
    expect((await listLinks(topology.client, sides.clientTenant.adminToken)).map((link) => link.id)).not.toContain(linked.linkId);
    expect(await mirrorAvailability(sides, linked, sides.sharingCentre.scheduleIds[0], localAt(2, 0), localAt(3, 0))).toBeUndefined();
  });

  describe('shareLinks pages (ADMIN)', () => {
    /** Five links of one client centre, made a second apart (index 0 is the oldest). */
    let pagedCentre: ClientCentre;
    let made: string[];
    let spread: Array<{ id: string; at: number }>;
    /** Links of another client tenant on the same server: never in this tenant's pages. */
    let otherTenant: TestTenant;
    let foreign: string[];

    beforeAll(async () => {
      pagedCentre = await newClientCentre(sides);
      made = [];
      for (let index = 0; index < 5; index++) made.push((await shareAndLink(sides, { client: pagedCentre })).linkId);
      spread = secondsApart(made);
      await setCreatedAt(topology.client.databaseUrl, 'share_links', sides.clientTenant.tenantId, spread);
      otherTenant = await createTenant(topology.client);
      foreign = [];
      for (let index = 0; index < 3; index++) foreign.push((await shareAndLink({ ...sides, clientTenant: otherTenant })).linkId);
    });

    const ids = (pages: Array<{ nodes: Array<{ id: string }> }>) => pages.flatMap((current) => current.nodes.map((node) => node.id));
    const walk = (token: string, centreId: string | undefined, first: number) =>
      walkPages((after) => linksPage(topology.client, token, centreId, { first, after }));

    it('pages a centre\'s five links two at a time, oldest first: three pages, each link once, none missing', async () => {
      const pages = await walk(sides.clientTenant.adminToken, pagedCentre.centreId, 2);
      expect(pages.map((current) => current.nodes.length)).toEqual([2, 2, 1]);
      expect(pages.map((current) => current.pageInfo.hasNextPage)).toEqual([true, true, false]);
      expect(ids(pages)).toEqual(made);
      expect((await linksPage(topology.client, sides.clientTenant.adminToken, pagedCentre.centreId, { first: 100 })).nodes.map((link) => link.id)).toEqual(made);
    });

    it('breaks ties between links made in the same millisecond by id, across a page boundary', async () => {
      const tied = made.slice(1, 4);
      const at = spread[2]!.at;
      await setCreatedAt(topology.client.databaseUrl, 'share_links', sides.clientTenant.tenantId, tied.map((id, index) => ({ id, at, microseconds: [700, 100, 400][index] })));
      expect(ids(await walk(sides.clientTenant.adminToken, pagedCentre.centreId, 2))).toEqual([made[0], ...[...tied].sort(), made[4]]);
    });

    it('never crosses tenants: the whole tenant list, page by page, holds its own links only; another tenant\'s cursor shows nothing of theirs', async () => {
      const own = ids(await walk(sides.clientTenant.adminToken, undefined, 2));
      expect(new Set(own).size).toBe(own.length);
      expect(own).toEqual(expect.arrayContaining(made));
      for (const id of foreign) expect(own).not.toContain(id);
      const theirs = await linksPage(topology.client, otherTenant.adminToken, undefined, { first: 1 });
      expect(theirs.pageInfo.hasNextPage).toBe(true);
      const withTheirCursor = (await linksPage(topology.client, sides.clientTenant.adminToken, undefined, { first: 100, after: theirs.pageInfo.endCursor })).nodes;
      for (const id of foreign) expect(withTheirCursor.map((link) => link.id)).not.toContain(id);
      const otherWalk = ids(await walk(otherTenant.adminToken, undefined, 2));
      expect([...otherWalk].sort()).toEqual([...foreign].sort());
    });

    it('answers a forged cursor with BAD_USER_INPUT naming `after`', async () => {
      for (const after of FORGED_CURSORS) {
        const response = await gql(topology.client, SHARE_LINKS, { centreId: pagedCentre.centreId, first: 2, after }, sides.clientTenant.adminToken);
        expect({ after, code: codeOf(response), fields: response.errors?.[0]?.extensions?.fields }).toEqual({ after, code: 'BAD_USER_INPUT', fields: [{ field: 'after', problems: [expect.any(String)] }] });
      }
    });

    it.each([0, -1, 101])('answers first: %i with BAD_USER_INPUT naming `first`', async (first) => {
      const response = await gql(topology.client, SHARE_LINKS, { centreId: pagedCentre.centreId, first }, sides.clientTenant.adminToken);
      expect(codeOf(response)).toBe('BAD_USER_INPUT');
      expect(response.errors![0]!.extensions!.fields).toEqual([{ field: 'first', problems: [expect.any(String)] }]);
    });
  });
});

describe('testing a link over the network', () => {
  let sharing: TestServer;
  /** The client server, PEER_TIMEOUT_MS=500, and a second instance of it on its database. */
  let client: TestServer;
  let clientTwin: TestServer;
  /** Client servers with OUTBOUND_ALLOW_LOOPBACK=false, and with OUTBOUND_DENIED_CIDRS=127.0.0.0/8 (one database). */
  let noLoopback: TestServer;
  let deniedCidr: TestServer;
  let hanging: Stoppable;
  let sides: Sides;
  let guardedSides: Sides;
  let share: CreatedShareData;
  const credentials = (overrides: Partial<LinkInput> = {}): LinkInput => ({ url: share.serverUrl, remoteCentreId: share.centreId, token: share.token, ...overrides });

  beforeAll(async () => {
    sharing = await startTestServer({ config: LEAN_NO_JOBS });
    client = await startTestServer({ config: { ...LEAN, PEER_TIMEOUT_MS: 500 } });
    clientTwin = await startTestServer({ databaseUrl: client.databaseUrl, config: { ...LEAN_NO_JOBS, PEER_TIMEOUT_MS: 500 } });
    noLoopback = await startTestServer({ config: { ...LEAN_NO_JOBS, OUTBOUND_ALLOW_LOOPBACK: false } });
    deniedCidr = await startTestServer({ databaseUrl: noLoopback.databaseUrl, config: { ...LEAN_NO_JOBS, OUTBOUND_DENIED_CIDRS: ['127.0.0.0/8'] } });
    hanging = await startHangingServer();
    sides = await setUpSides({ name: 'two servers', sharing, client, close: async () => undefined });
    guardedSides = { ...(await setUpSides({ name: 'two servers', sharing, client: noLoopback, close: async () => undefined })) };
    share = await createShareOk(sharing, sides.sharingTenant, { centreId: sides.sharingCentre.centreId, scheduleIds: [sides.sharingCentre.scheduleIds[0]] });
  });
  afterAll(async () => {
    await deniedCidr?.close();
    await noLoopback?.close();
    await clientTwin?.close();
    await client?.close();
    await hanging?.close();
    await sharing?.close();
  });

  const reasonOn = async (server: TestServer, tenantSides: Sides, input: LinkInput) =>
    problemOf(await testLink(server, await freshAdmin(server, tenantSides.clientTenant), input));

  describe('a ShareLinkProblem names what is wrong', () => {
    it('UNREACHABLE: nothing listens at the URL', async () => {
      expect(await reasonOn(client, sides, credentials({ url: `http://127.0.0.1:${await freePort()}` }))).toMatchObject({ __typename: 'ShareLinkProblem', reason: 'UNREACHABLE' });
    });

    it('TIMEOUT: a server that accepts and never answers (PEER_TIMEOUT_MS)', async () => {
      expect(await reasonOn(client, sides, credentials({ url: hanging.url }))).toMatchObject({ __typename: 'ShareLinkProblem', reason: 'TIMEOUT' });
    });

    it('ADDRESS_NOT_ALLOWED: loopback with OUTBOUND_ALLOW_LOOPBACK=false (by address and by name), or a CIDR in OUTBOUND_DENIED_CIDRS', async () => {
      const port = new URL(sharing.url).port;
      expect(await reasonOn(noLoopback, guardedSides, credentials())).toMatchObject({ __typename: 'ShareLinkProblem', reason: 'ADDRESS_NOT_ALLOWED' });
      expect(await reasonOn(noLoopback, guardedSides, credentials({ url: `http://localhost:${port}` }))).toMatchObject({ reason: 'ADDRESS_NOT_ALLOWED' });
      expect(await reasonOn(deniedCidr, guardedSides, credentials())).toMatchObject({ reason: 'ADDRESS_NOT_ALLOWED' });
      // The same sharing server is fine for a client server without these rules.
      expect((await reasonOn(client, sides, credentials()))!.__typename).toBe('ShareLinkOk');
    });

    it('ADDRESS_NOT_ALLOWED: also for loopback written as an IPv4-mapped IPv6 address ([::ffff:127.0.0.1])', async () => {
      const mapped = `http://[::ffff:127.0.0.1]:${new URL(sharing.url).port}`;
      expect(await reasonOn(noLoopback, guardedSides, credentials({ url: mapped }))).toMatchObject({ __typename: 'ShareLinkProblem', reason: 'ADDRESS_NOT_ALLOWED' });
      expect(await reasonOn(deniedCidr, guardedSides, credentials({ url: mapped }))).toMatchObject({ __typename: 'ShareLinkProblem', reason: 'ADDRESS_NOT_ALLOWED' });
    });

    it('INVALID_RESPONSE: a server that is not careslot (an HTML page)', async () => {
      const stub = await startHttpStub(200, '<html><body>Welcome</body></html>', { 'content-type': 'text/html' });
      try {
        expect(await reasonOn(client, sides, credentials({ url: stub.url }))).toMatchObject({ __typename: 'ShareLinkProblem', reason: 'INVALID_RESPONSE' });
      } finally {
        await stub.close();
      }
    });

    it('INVALID_RESPONSE: JSON that is not a peer API answer ({"data":{}}, null), not an internal error', async () => {
      for (const body of ['{"data":{}}', 'null']) {
        const stub = await startHttpStub(200, body);
        try {
          const response = await testLink(client, await freshAdmin(client, sides.clientTenant), credentials({ url: stub.url }));
          expect({ body, errors: response.errors?.map((error) => error.extensions?.code), result: problemOf(response) })
            .toEqual({ body, errors: undefined, result: expect.objectContaining({ __typename: 'ShareLinkProblem', reason: 'INVALID_RESPONSE' }) });
        } finally {
          await stub.close();
        }
      }
    });
  });

  describe('more than five failed attempts block the user for an hour, on every instance', () => {
    const unknownCentre = () => credentials({ remoteCentreId: sides.sharingCentre.scheduleIds[2] });
    const instances = () => [client, clientTwin];
    const expectBlocked = (response: GraphQLResponse, atLeastSeconds = 3500) => {
      expect(codeOf(response)).toBe('RATE_LIMITED');
      const retryAfter = response.errors![0].extensions!.retryAfterSeconds as number;
      expect(retryAfter).toBeGreaterThan(atLeastSeconds);
      expect(retryAfter).toBeLessThanOrEqual(3600);
    };
    const outcome = (response: GraphQLResponse<{ testShareLink?: LinkResult; createShareLink?: LinkResult }>) =>
      codeOf(response) ?? problemOf(response)?.reason ?? problemOf(response)?.__typename;

    it('five failures pass, the sixth blocks testShareLink and createShareLink on both instances; another user is not blocked', async () => {
      const admin = await freshAdmin(client, sides.clientTenant);
      const centre = await newClientCentre(sides);
      for (let attempt = 0; attempt < 5; attempt++) {
        expect(problemOf(await testLink(instances()[attempt % 2], admin, unknownCentre()))).toMatchObject({ reason: 'UNKNOWN_CENTRE' });
      }
      // The sixth, through createShareLink, is still tried (and fails).
      expect(problemOf(await createLink(clientTwin, admin, { ...unknownCentre(), centreId: centre.centreId }))).toMatchObject({ reason: 'UNKNOWN_CENTRE' });
      // Blocked now, on both instances, for both operations, even with good credentials.
      for (const server of instances()) {
        expectBlocked(await testLink(server, admin, credentials()));
        expectBlocked(await createLink(server, admin, { ...credentials(), centreId: centre.centreId }));
      }
      expect(await listLinks(client, admin, centre.centreId)).toEqual([]);
      // Another ADMIN of the same tenant is not.
      const other = await freshAdmin(client, sides.clientTenant);
      for (const server of instances()) expect(problemOf(await testLink(server, other, credentials()))!.__typename).toBe('ShareLinkOk');
    });

    it('the sixth and later attempts sent concurrently to both instances: exactly one more is tried, the rest are RATE_LIMITED', async () => {
      const admin = await freshAdmin(client, sides.clientTenant);
      for (let attempt = 0; attempt < 5; attempt++) expect(problemOf(await testLink(client, admin, unknownCentre()))).toMatchObject({ reason: 'UNKNOWN_CENTRE' });
      const responses = await Promise.all(Array.from({ length: 10 }, (_, index) => testLink(instances()[index % 2], admin, credentials({ url: hanging.url }))));
      const outcomes = responses.map(outcome).sort();
      expect(outcomes).toEqual(['TIMEOUT', ...Array(9).fill('RATE_LIMITED')].sort());
      expectBlocked(await testLink(clientTwin, admin, credentials()));
    });

    it('all attempts concurrent from the first: exactly six failures, never more', async () => {
      const admin = await freshAdmin(client, sides.clientTenant);
      const centre = await newClientCentre(sides);
      const responses = await Promise.all(Array.from({ length: 14 }, (_, index) => (index % 2 === 0
        ? testLink(instances()[index % 4 < 2 ? 0 : 1], admin, credentials({ url: hanging.url }))
        : createLink(instances()[index % 4 < 2 ? 1 : 0], admin, { ...credentials({ url: hanging.url }), centreId: centre.centreId }))));
      const outcomes = responses.map(outcome);
      expect(outcomes.filter((code) => code === 'TIMEOUT')).toHaveLength(6);
      expect(outcomes.filter((code) => code === 'RATE_LIMITED')).toHaveLength(8);
      expectBlocked(await testLink(client, admin, credentials()));
      expect(await listLinks(client, admin, centre.centreId)).toEqual([]);
    });

    it('an attempt that ends in an unexpected answer is not left "in flight" (which would block the user for good)', async () => {
      const stub = await startHttpStub(200, '{"data":{}}');
      const admin = await createStaff(client, sides.clientTenant, ['ADMIN']);
      try {
        await testLink(client, admin.token, credentials({ url: stub.url }));
      } finally {
        await stub.close();
      }
      const inFlight = await withPgClient(client.databaseUrl, async (db) => (await db.query(
        'SELECT coalesce(sum(attempts), 0)::int AS n FROM attempt_counters WHERE tenant_id = $1 AND subject = $2', [sides.clientTenant.tenantId, admin.userId],
      )).rows[0].n);
      expect(inFlight).toBe(0);
    });
  });

  describe('removing a link', () => {
    it('while its sharing server is down: the link is removed, and the client server is left with no unhandled rejection', async () => {
      const doomed = await startTestServer({ databaseUrl: sharing.databaseUrl, config: LEAN_NO_JOBS });
      const linked = await shareAndLink(sides, { url: doomed.url });
      const watch = watchClientAgenda(sides, linked);
      try {
        await untilAgendaLive(sides, linked, watch);
      } finally {
        await watch.close();
      }
      await doomed.close();
      await gqlOk(client, REMOVE_LINK, { input: { id: linked.linkId } }, sides.clientTenant.adminToken);
      expect((await listLinks(client, sides.clientTenant.adminToken)).map((link) => link.id)).not.toContain(linked.linkId);
      // Closing the watch of an unreachable peer rejects graphql-ws's dispose(); jest reports it against this test.
      await sleep(2000);
    });
  });
});
