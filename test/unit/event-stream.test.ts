import { streamTopic, type Verdict } from '../../src/events/event-stream';
import { LocalBus } from '../helpers/local-bus';

/**
 * The live stream under every subscription: events judged in order, a verdict that must wait
 * holding the later ones back, and ends (return, 'end', a matching end condition) at once.
 */

interface Event {
  n: number;
}

/** A promise and its resolve, for verdicts that wait. */
function later<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Whether a promise has settled by the time the queue is drained. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true), () => (done = true));
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

describe('streamTopic', () => {
  let bus: LocalBus;
  beforeEach(() => {
    bus = new LocalBus();
  });

  it('delivers accepted events in order, whether they arrive before or while next() waits, and skips refused ones', async () => {
    const stream = streamTopic<Event>(bus, 'topic', (event) => event.n % 2 === 1);
    bus.publishLocal('topic', { n: 1 });
    bus.publishLocal('topic', { n: 2 });
    bus.publishLocal('topic', { n: 3 });
    expect(await stream.next()).toEqual({ value: { n: 1 }, done: false });
    expect(await stream.next()).toEqual({ value: { n: 3 }, done: false });
    const waiting = stream.next();
    bus.publishLocal('topic', { n: 4 });
    expect(await settled(waiting)).toBe(false);
    bus.publishLocal('topic', { n: 5 });
    expect(await waiting).toEqual({ value: { n: 5 }, done: false });
  });

  it('hands a waiting reader the very event object that was published (subscribers of one group share its execution)', async () => {
    const stream = streamTopic<Event>(bus, 'topic', () => true);
    const waiting = stream.next();
    const event = { n: 1 };
    bus.publishLocal('topic', event);
    expect((await waiting).value).toBe(event);
  });

  it('holds later events back while a verdict waits, then judges them in order', async () => {
    const pending = later<Verdict>();
    const judged: number[] = [];
    const stream = streamTopic<Event>(bus, 'topic', (event) => {
      judged.push(event.n);
      return event.n === 1 ? pending.promise : true;
    });
    const first = stream.next();
    bus.publishLocal('topic', { n: 1 });
    bus.publishLocal('topic', { n: 2 });
    expect(await settled(first)).toBe(false);
    expect(judged).toEqual([1]);
    pending.resolve(false);
    expect(await first).toEqual({ value: { n: 2 }, done: false });
    expect(judged).toEqual([1, 2]);
  });

  it("ends at a verdict of 'end', drops what is buffered and unsubscribes", async () => {
    const stream = streamTopic<Event>(bus, 'topic', (event) => (event.n === 2 ? 'end' : true));
    bus.publishLocal('topic', { n: 1 });
    bus.publishLocal('topic', { n: 2 });
    bus.publishLocal('topic', { n: 3 });
    expect(await stream.next()).toEqual({ value: { n: 1 }, done: false });
    expect(await stream.next()).toEqual({ value: undefined, done: true });
    expect(await stream.next()).toEqual({ value: undefined, done: true });
    expect(bus.handlerCount('topic')).toBe(0);
  });

  it("ends when a verdict that waited says 'end'", async () => {
    const stream = streamTopic<Event>(bus, 'topic', () => Promise.resolve<Verdict>('end'));
    const waiting = stream.next();
    bus.publishLocal('topic', { n: 1 });
    expect(await waiting).toEqual({ value: undefined, done: true });
  });

  it('ends a waiting reader at once when an end condition matches, and only then', async () => {
    const stream = streamTopic<Event>(bus, 'topic', () => true, [{ topic: 'revoked', matches: (p) => (p as { id: string }).id === 'mine' }]);
    const waiting = stream.next();
    bus.publishLocal('revoked', { id: 'another' });
    expect(await settled(waiting)).toBe(false);
    bus.publishLocal('revoked', { id: 'mine' });
    expect(await waiting).toEqual({ value: undefined, done: true });
    expect([bus.handlerCount('topic'), bus.handlerCount('revoked')]).toEqual([0, 0]);
  });

  it('ends a waiting reader on return(), and ignores a verdict that arrives afterwards', async () => {
    const pending = later<Verdict>();
    const stream = streamTopic<Event>(bus, 'topic', () => pending.promise);
    const waiting = stream.next();
    bus.publishLocal('topic', { n: 1 });
    expect(await stream.return!()).toEqual({ value: undefined, done: true });
    expect(await waiting).toEqual({ value: undefined, done: true });
    pending.resolve(true);
    expect(await stream.next()).toEqual({ value: undefined, done: true });
    expect(bus.handlerCount('topic')).toBe(0);
  });

  it('rejects the waiting next() when judging fails, outside the bus dispatch, and goes on with the next event', async () => {
    const stream = streamTopic<Event>(bus, 'topic', (event) => {
      if (event.n === 1) throw new Error('judging failed');
      return true;
    });
    const waiting = stream.next();
    bus.publishLocal('topic', { n: 1 });
    await expect(waiting).rejects.toThrow('judging failed');
    expect(bus.errors).toEqual([]);
    bus.publishLocal('topic', { n: 2 });
    expect(await stream.next()).toEqual({ value: { n: 2 }, done: false });
  });

  it('refuses a second next() while one waits', async () => {
    const stream = streamTopic<Event>(bus, 'topic', () => true);
    const waiting = stream.next();
    await expect(stream.next()).rejects.toThrow('one event at a time');
    bus.publishLocal('topic', { n: 1 });
    expect(await waiting).toEqual({ value: { n: 1 }, done: false });
  });
});
