import { parse, validate, type GraphQLSchema } from 'graphql';
import { gqlOk } from '../helpers/graphql-client';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { canConnectFrom, UNTRUSTED_CLIENT_ADDRESS } from '../support/fuzz/client-addresses';
import { changedSources, DatabaseDigest } from '../support/fuzz/database-digest';
import { documentDepth } from '../support/fuzz/document-depth';
import { FailureLog } from '../support/fuzz/failure-report';
import { fuzzSettingsFrom } from '../support/fuzz/fuzz-settings';
import { FuzzStats } from '../support/fuzz/fuzz-stats';
import { buildFuzzWorld, type FuzzWorld } from '../support/fuzz/fuzz-world';
import { runOperations } from '../support/fuzz/fuzz-runner';
import { HealthzMonitor } from '../support/fuzz/healthz-monitor';
import { HttpTransport } from '../support/fuzz/http-transport';
import { InputArbitraries } from '../support/fuzz/input-arbitraries';
import { fetchLiveSchema } from '../support/fuzz/live-schema';
import { planOperations } from '../support/fuzz/operation-plan';
import type { PlannedOperation } from '../support/fuzz/planned-operation';
import { PRINCIPALS } from '../support/fuzz/principals';
import { ReadWriteLock } from '../support/fuzz/read-write-lock';
import { renderOperation } from '../support/fuzz/render-operation';
import { typedFailureNames } from '../support/fuzz/result-unions';
import { rootFieldKey, rootFieldsOf } from '../support/fuzz/root-fields';
import { ServerErrorLog } from '../support/fuzz/server-error-log';
import { WsTransport } from '../support/fuzz/ws-transport';
import { CREATE_PATIENT } from '../support/scheduling';

/**
 * Schema-driven fuzzing of the whole API. Operations are generated from the live schema (by
 * introspection of the running server) with fast-check: every query, mutation and subscription
 * field, as every staff role, a peer server, and callers without a valid token, over HTTP and
 * WebSocket — once each with valid arguments, then at random with malformed ones (ids, strings,
 * numbers, enums, nested inputs, oversized lists; as variables and as inline literals; in odd
 * document and request forms).
 *
 * Whatever is sent, the server must: never answer 5xx or INTERNAL_SERVER_ERROR, give every error
 * a documented extensions.code, refuse callers without a valid token, change no row when it turns
 * a mutation down, and keep answering /healthz. All failures are collected and reported together,
 * grouped by field and problem, each with a reproducible example.
 *
 * FUZZ_SEED and FUZZ_RUNS override the seed and the number of operations (see fuzz-settings.ts).
 */

const settings = fuzzSettingsFrom(process.env);
/** Set-up, plus a generous budget per operation for long runs (FUZZ_RUNS); the default run takes well under a minute. */
const TEST_TIMEOUT_MS = 120_000 + settings.operations * 50;

describe('schema fuzz', () => {
  let app: TestServer;
  let world: FuzzWorld;
  let untrustedAddress: string | undefined;
  const serverLog = new ServerErrorLog();

  beforeAll(async () => {
    untrustedAddress = (await canConnectFrom(UNTRUSTED_CLIENT_ADDRESS)) ? UNTRUSTED_CLIENT_ADDRESS : undefined;
    // Without a second loopback address the fuzzer's invalid tokens share the valid ones' address:
    // lift the per-address sign-in throttle then, or it would lock the valid principals out.
    app = await startTestServer({ logger: serverLog.logger, ...(untrustedAddress ? {} : { config: { SIGN_IN_FAILURES_PER_ADDRESS: 1_000_000 } }) });
    world = await buildFuzzWorld(app);
  }, 60_000);
  afterAll(() => app?.close());

  it(`sends ${settings.operations} generated operations (seed ${settings.seed}); no 5xx, no INTERNAL_SERVER_ERROR, no change after a rejected mutation, /healthz up`, async () => {
    const started = Date.now();
    const config = app.server.config;
    const schema = await fetchLiveSchema(app.url, world.adminToken);
    const roots = rootFieldsOf(schema);
    const inputs = new InputArbitraries(world, { bodyLimitBytes: config.BODY_LIMIT_BYTES });
    // Four levels: deep enough to reach nested objects, well inside the server's MAX_DEPTH (a valid operation must pass it).
    const maxDepth = Math.min(4, config.MAX_DEPTH);

    const plan = planOperations(roots, inputs, settings.seed, settings.operations);
    expectGeneratedDocumentsValid(plan, schema, maxDepth);
    expectEveryFieldPrincipalAndTransport(plan, roots.map(rootFieldKey));

    const stats = new FuzzStats();
    const failures = new FailureLog();
    const http = new HttpTransport(app.url, settings.requestTimeoutMs);
    const ws = new WsTransport(app.url, { subscriptionWaitMs: settings.subscriptionWaitMs, timeoutMs: settings.requestTimeoutMs });
    const digest = await DatabaseDigest.open(app.databaseUrl, world.tenantIds);
    await expectDigestSeesAChange(digest, app, world);
    const healthz = new HealthzMonitor(app.url);
    // graphql-ws logs a refused oversized message with console.error: that refusal is checked (1009), the
    // noise is not wanted. Anything else written there is a server error line like any other.
    const consoleErrors: string[] = [];
    const consoleError = jest.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void consoleErrors.push(args.map(String).join(' ')));
    healthz.start();
    let health: Awaited<ReturnType<HealthzMonitor['stop']>>;
    try {
      await runOperations({
        schema, world, http, ws, digest, stats, failures, lock: new ReadWriteLock(), typedFailures: typedFailureNames(schema),
        limits: { maxDepth, wsMaxMessageBytes: config.WS_MAX_MESSAGE_BYTES }, untrustedAddress, serverLog,
      }, plan, settings.concurrency);
    } finally {
      health = await healthz.stop();
      consoleError.mockRestore();
      http.close();
      await ws.close();
      await digest.close();
    }

    failures.addStrayServerErrors([...serverLog.untaken(), ...consoleErrors.filter((line) => !/max payload size exceeded/i.test(line)).map((line) => `console.error: ${line}`)]);
    if (settings.verbose) console.log(stats.perFieldLines());
    const distinct = failures.distinctCount;
    console.log(stats.summaryLine({
      seed: settings.seed, durationMs: Date.now() - started, healthz: { polls: health.polls, failures: health.failures.length }, failures: failures.count, distinctProblems: distinct,
    }));

    expect(stats.operations).toBe(plan.length);
    expect(stats.fieldsCovered.size).toBe(roots.length);
    expect(health.polls).toBeGreaterThan(0);
    expect(health.failures).toEqual([]);
    if (failures.count > 0) {
      failures.writeReproductions(settings.failuresFile);
      throw new Error(failures.report(settings.failuresFile));
    }
  }, TEST_TIMEOUT_MS);
});

/**
 * The generator's own check: every operation planned with valid arguments in the plain document
 * form is a valid document within the depth limit, so that valid operations fail only on the server.
 */
function expectGeneratedDocumentsValid(plan: readonly PlannedOperation[], schema: GraphQLSchema, maxDepth: number): void {
  const invalid = plan
    .filter((operation) => operation.document === 'named' && operation.argStyle === 'valid')
    .map((operation) => {
      const document = parse(renderOperation(schema, operation, maxDepth).query);
      const errors = validate(schema, document).map((error) => error.message);
      if (documentDepth(document) > maxDepth) errors.push(`depth ${documentDepth(document)} > ${maxDepth}`);
      return { field: rootFieldKey(operation.root), errors };
    })
    .filter(({ errors }) => errors.length > 0);
  expect(invalid.slice(0, 5)).toEqual([]);
}

/** The "no row changed" check is only worth something if a change shows: one made on purpose must. */
async function expectDigestSeesAChange(digest: DatabaseDigest, app: TestServer, world: FuzzWorld): Promise<void> {
  const before = await digest.take();
  await gqlOk(app, CREATE_PATIENT, { input: { familyName: 'Digest', givenName: 'Probe' } }, world.adminToken);
  expect(changedSources(before, await digest.take()).map((source) => source.split(' ')[0])).toEqual(expect.arrayContaining(['patients']));
}

function expectEveryFieldPrincipalAndTransport(plan: readonly PlannedOperation[], fields: readonly string[]): void {
  const planned = new Set(plan.map((operation) => `${rootFieldKey(operation.root)} as ${operation.principal} over ${operation.transport}`));
  const missing = fields.flatMap((field) => PRINCIPALS.flatMap((principal) => ['http', 'ws'].map((transport) => `${field} as ${principal} over ${transport}`)))
    .filter((combination) => !planned.has(combination));
  expect(missing).toEqual([]);
}
