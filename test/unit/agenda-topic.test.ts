import type { Tx } from '../../src/db/unit-of-work';
import { AGENDA_TOPIC, publishAgendaEventAfterCommit } from '../../src/services/common/agenda-topic';
import { LocalBus } from '../helpers/local-bus';

/**
 * An agenda event leaves after the commit, and only once the request that made the change has
 * answered (its answer is written in the microtasks that follow the commit): this instance's
 * subscribers, thousands of them, are judged synchronously in the dispatch.
 */
describe('publishAgendaEventAfterCommit', () => {
  const tenantId = '6ac14145-f22d-42b1-aec0-2a0b5f84dd37';
  const event = { centreId: 'c1', scheduleId: 's1', appointmentId: 'a1', kind: 'CREATED' as const };

  function setUp() {
    const effects: Array<() => void> = [];
    const tx = { tenantId, afterCommit: (effect: () => void) => effects.push(effect) } as unknown as Tx;
    const bus = new LocalBus();
    const seen: unknown[] = [];
    bus.subscribe(AGENDA_TOPIC, (payload) => seen.push(payload));
    return { commit: () => effects.forEach((effect) => effect()), tx, bus, seen };
  }

  it('publishes nothing before the commit', async () => {
    const { tx, bus, seen } = setUp();
    publishAgendaEventAfterCommit(tx, bus, event);
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual([]);
  });

  it('publishes after the microtasks that follow the commit, on the next turn of the event loop', async () => {
    const { commit, tx, bus, seen } = setUp();
    publishAgendaEventAfterCommit(tx, bus, event);
    commit();
    expect(seen).toEqual([]);
    await Promise.resolve();
    await Promise.resolve();
    expect(seen).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual([{ tenantId, ...event }]);
  });
});
