import { Pool } from 'pg';
import { PgNotifyBus } from '../../src/events/pg-notify-bus';
import type { Logger } from '../../src/platform/logger';
import { cloneTemplateDatabase } from '../helpers/test-database';

const silent = { warn: () => undefined, error: () => undefined } as unknown as Logger;

/**
 * Two instances on one database, as two careslot processes would be. A burst of events leaves in
 * fewer NOTIFYs than events (one in flight at a time, the rest batched behind it), and still arrives
 * whole, once each and in order; an instance never hears its own events twice. No timings: how
 * many NOTIFYs a burst takes on a given machine is for bench/.
 */
describe('the PostgreSQL event bus', () => {
  let database: Awaited<ReturnType<typeof cloneTemplateDatabase>>;
  let pools: Pool[];
  let a: PgNotifyBus;
  let b: PgNotifyBus;

  beforeAll(async () => {
    database = await cloneTemplateDatabase();
    pools = [new Pool({ connectionString: database.url, max: 4 }), new Pool({ connectionString: database.url, max: 4 })];
    a = new PgNotifyBus(database.url, pools[0], silent);
    b = new PgNotifyBus(database.url, pools[1], silent);
    await Promise.all([a.start(), b.start()]);
  });
  afterAll(async () => {
    await Promise.all([a.close(), b.close()]);
    await Promise.all(pools.map((pool) => pool.end()));
    await database.drop();
  });

  /** Everything `bus` hears on `topic`, in order, until stopped; `until` waits for a condition on it. */
  function record(bus: PgNotifyBus, topic: string): { heard: unknown[]; until(what: string, done: (heard: unknown[]) => boolean): Promise<unknown[]>; stop(): void } {
    const heard: unknown[] = [];
    let changed = (): void => undefined;
    const stop = bus.subscribe(topic, (payload) => {
      heard.push(payload);
      changed();
    });
    recordings.push(stop);
    return {
      heard,
      stop,
      // The deadline only turns a hang into a failure: nothing here measures time.
      until: (what, done) => new Promise<unknown[]>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${what}: not so within 10 s (heard ${heard.length})`)), 10_000);
        changed = () => {
          if (!done(heard)) return;
          clearTimeout(timer);
          changed = () => undefined;
          resolve(heard);
        };
        changed();
      }),
    };
  }
  const recordings: Array<() => void> = [];
  afterEach(() => recordings.splice(0).forEach((stop) => stop()));

  it('sends a burst in fewer NOTIFYs than events, and the other instance hears every event once, in order', async () => {
    const events = Array.from({ length: 300 }, (_, i) => ({ tenantId: 't', appointmentId: `appointment-${i}`, kind: 'CREATED' }));
    const atB = record(b, 'burst');
    const atA = record(a, 'burst');
    const notify = jest.spyOn(pools[0], 'query');
    let payloads: string[];
    try {
      await Promise.all(events.map((event) => a.publish('burst', event)));
      payloads = notify.mock.calls.map((call) => (call[0] as unknown as { values: [string, string] }).values[1]);
    } finally {
      notify.mockRestore();
    }
    // Batched: every event left, in order, in fewer NOTIFYs than events, each below PostgreSQL's limit.
    const sent = payloads.flatMap((payload) => payload.split('\n').map((line) => JSON.parse(line).payload));
    expect(sent).toEqual(events);
    expect(payloads.length).toBeGreaterThan(1);
    expect(payloads.length).toBeLessThan(events.length);
    for (const payload of payloads) expect(Buffer.byteLength(payload)).toBeLessThan(8000);

    await atB.until('B hears the burst', (heard) => heard.length >= events.length);
    // Markers instead of a pause: PostgreSQL delivers notifications in commit order. B's marker is sent
    // after B heard the whole burst, so once A hears it A has had every echo of its own burst; then
    // A's marker, once B hears it, comes after anything the burst could still have brought B.
    await b.publish('burst', { marker: 'from B' });
    await atA.until('A hears B\'s marker', (heard) => heard.some((payload) => (payload as { marker?: string }).marker === 'from B'));
    await a.publish('burst', { marker: 'from A' });
    await atB.until('B hears A\'s marker', (heard) => heard.some((payload) => (payload as { marker?: string }).marker === 'from A'));
    // A's own handlers ran once each on publish; its echo from PostgreSQL added nothing. B heard each once.
    expect(atA.heard).toEqual([...events, { marker: 'from B' }, { marker: 'from A' }]);
    expect(atB.heard).toEqual([...events, { marker: 'from B' }, { marker: 'from A' }]);
  });

  it('refuses only the event too large for a NOTIFY; the ones around it arrive', async () => {
    const atB = record(b, 'sizes');
    const results = await Promise.allSettled([
      a.publish('sizes', { n: 1 }),
      a.publish('sizes', { n: 2, filler: 'x'.repeat(9000) }),
      a.publish('sizes', { n: 3 }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(await atB.until('B hears the two that fit', (heard) => heard.length >= 2)).toEqual([{ n: 1 }, { n: 3 }]);
  });
});
