import type { EventBus } from './event-bus';

/** Whether a stream delivers an event: false skips it, 'end' finishes the stream. */
export type Verdict = boolean | 'end';

/** Another topic whose matching event finishes the stream at once (e.g. the subscriber's token was revoked). */
export interface EndCondition {
  topic: string;
  matches(payload: unknown): boolean;
}

const DONE: IteratorReturnResult<undefined> = { value: undefined, done: true };

/**
 * Bus events of one topic as an async iterator (what GraphQL subscriptions consume). `accept`
 * runs for every event, in order, before it is delivered; `endOn` finishes the stream the moment
 * a matching event arrives on another topic, without waiting for the next event of this one.
 */
export function streamTopic<T>(
  bus: EventBus,
  topic: string,
  accept: (event: T) => Verdict | Promise<Verdict>,
  endOn: readonly EndCondition[] = [],
): AsyncIterableIterator<T> {
  return new TopicStream(bus, topic, accept, endOn);
}

/**
 * A live event reaches every subscriber of an instance at once, so this is the per-subscriber hot
 * path, and a live subscription keeps one for hours: a subscriber already waiting is judged inside
 * the bus dispatch and handed the event directly, a verdict known synchronously (a cached
 * re-authorisation) costs no promise of its own, and the methods live on the prototype rather
 * than in closures per stream. Only a verdict that has to wait (a recheck against the database)
 * holds later events back.
 */
class TopicStream<T> implements AsyncIterableIterator<T> {
  private readonly buffer: T[] = [];
  private readonly unsubscribe: Array<() => void>;
  private resolveWaiter?: (result: IteratorResult<T>) => void;
  private rejectWaiter?: (error: unknown) => void;
  private judging = false;
  private done = false;

  constructor(bus: EventBus, topic: string, private readonly accept: (event: T) => Verdict | Promise<Verdict>, endOn: readonly EndCondition[]) {
    this.unsubscribe = [bus.subscribe(topic, (payload) => this.receive(payload as T))];
    for (const condition of endOn) {
      this.unsubscribe.push(bus.subscribe(condition.topic, (payload) => {
        if (condition.matches(payload)) this.finish();
      }));
    }
  }

  next(): Promise<IteratorResult<T>> {
    if (this.done) return Promise.resolve(DONE);
    if (this.resolveWaiter) return Promise.reject(new Error('a live stream is read one event at a time'));
    return new Promise<IteratorResult<T>>((resolve, reject) => {
      this.resolveWaiter = resolve;
      this.rejectWaiter = reject;
      this.pump();
    });
  }

  return(): Promise<IteratorResult<T>> {
    this.finish();
    return Promise.resolve(DONE);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private receive(event: T): void {
    if (this.done) return;
    this.buffer.push(event);
    this.pump();
  }

  /** Judges buffered events while someone waits, until one is delivered or a verdict is pending. */
  private pump(): void {
    while (this.resolveWaiter && !this.judging && !this.done && this.buffer.length > 0) {
      const event = this.buffer.shift() as T;
      let verdict: Verdict | Promise<Verdict>;
      try {
        verdict = this.accept(event);
      } catch (error) {
        return this.fail(error);
      }
      if (typeof verdict === 'object') return this.await(event, verdict);
      this.settle(event, verdict);
    }
  }

  private await(event: T, verdict: Promise<Verdict>): void {
    this.judging = true;
    verdict.then((later) => {
      this.judging = false;
      if (this.done) return;
      this.settle(event, later);
      this.pump();
    }, (error: unknown) => {
      this.judging = false;
      this.fail(error);
    });
  }

  private settle(event: T, verdict: Verdict): void {
    if (verdict === 'end') return this.finish();
    if (verdict) this.answer({ value: event, done: false });
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    for (const off of this.unsubscribe) off();
    this.buffer.length = 0;
    this.answer(DONE);
  }

  /** Settles the waiting next(), if any. */
  private answer(result: IteratorResult<T>): void {
    const resolve = this.resolveWaiter;
    this.resolveWaiter = this.rejectWaiter = undefined;
    resolve?.(result);
  }

  private fail(error: unknown): void {
    const reject = this.rejectWaiter;
    this.resolveWaiter = this.rejectWaiter = undefined;
    reject?.(error);
  }
}
