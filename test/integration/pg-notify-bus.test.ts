import { Pool } from 'pg';
import { PgNotifyBus } from '../../src/events/pg-notify-bus';
import type { Logger } from '../../src/platform/logger';
import { cloneTemplateDatabase } from '../helpers/test-database';

const silent = { warn: () => undefined, error: () => undefined } as unknown as Logger;

/**
 * Two instances on one database, as two careslot processes would be. A burst of events leaves in
 * a few NOTIFYs (one in flight at a time, the rest batched behind it), and still arrives whole,
 * once each and in order; an instance never hears its own events twice.
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

  /** Resolves with what `bus` heard on `topic` once `count` events arrived. */
  function collect(bus: PgNotifyBus, topic: string, count: number): { heard: unknown[]; done: Promise<unknown[]> } {
    const heard: unknown[] = [];
    let unsubscribe = (): void => undefined;
    const done = new Promise<unknown[]>((resolve) => {
      unsubscribe = bus.subscribe(topic, (payload) => {
        heard.push(payload);
        if (heard.length === count) resolve(heard);
      });
    });
    return { heard, done: done.finally(() => setTimeout(unsubscribe, 200)) };
  }

  it('sends a burst in a few NOTIFYs, and the other instance hears every event once, in order', async () => {
    const events = Array.from({ length: 300 }, (_, i) => ({ tenantId: 't', appointmentId: `appointment-${i}`, kind: 'CREATED' }));
    const atB = collect(b, 'burst', events.length);
    const atA = collect(a, 'burst', events.length);
    const notify = jest.spyOn(pools[0], 'query');
    let notifies: number;
    try {
      await Promise.all(events.map((event) => a.publish('burst', event)));
      notifies = notify.mock.calls.length;
    } finally {
      notify.mockRestore();
    }
    expect(notifies).toBeGreaterThan(1);
    expect(notifies).toBeLessThan(15);
    expect(await atB.done).toEqual(events);
    // A's own handlers ran once each on publish; its echo from PostgreSQL added nothing.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(atA.heard).toEqual(events);
    expect(atB.heard).toHaveLength(events.length);
  });

  it('refuses only the event too large for a NOTIFY; the ones around it arrive', async () => {
    const atB = collect(b, 'sizes', 2);
    const results = await Promise.allSettled([
      a.publish('sizes', { n: 1 }),
      a.publish('sizes', { n: 2, filler: 'x'.repeat(9000) }),
      a.publish('sizes', { n: 3 }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(await atB.done).toEqual([{ n: 1 }, { n: 3 }]);
  });
});
