import type { EventBus } from './event-bus';

/** Whether a stream delivers an event: false skips it, 'end' finishes the stream. */
export type Verdict = boolean | 'end';

/** Another topic whose matching event finishes the stream at once (e.g. the subscriber's token was revoked). */
export interface EndCondition {
  topic: string;
  matches(payload: unknown): boolean;
}

interface Waiter<T> {
  resolve(result: IteratorResult<T>): void;
  reject(error: unknown): void;
}

const DONE: IteratorReturnResult<undefined> = { value: undefined, done: true };

/**
 * Bus events of one topic as an async iterator (what GraphQL subscriptions consume). `accept`
 * runs for every event, in order, before it is delivered; `endOn` finishes the stream the moment
 * a matching event arrives on another topic, without waiting for the next event of this one.
 *
 * A live event reaches every subscriber of an instance at once, so this is the per-subscriber hot
 * path: a subscriber already waiting is judged inside the bus dispatch and handed the event
 * directly, and a verdict known synchronously (a cached re-authorisation) costs no promise of its
 * own. Only a verdict that has to wait (a recheck against the database) holds later events back.
 */
export function streamTopic<T>(
  bus: EventBus,
  topic: string,
  accept: (event: T) => Verdict | Promise<Verdict>,
  endOn: readonly EndCondition[] = [],
): AsyncIterableIterator<T> {
  const buffer: T[] = [];
  let waiter: Waiter<T> | undefined;
  let judging = false;
  let done = false;

  const finish = (): void => {
    if (done) return;
    done = true;
    for (const off of unsubscribe) off();
    buffer.length = 0;
    const pending = waiter;
    waiter = undefined;
    pending?.resolve(DONE);
  };
  const settle = (event: T, verdict: Verdict): void => {
    if (verdict === 'end') return finish();
    if (!verdict || !waiter) return;
    const pending = waiter;
    waiter = undefined;
    pending.resolve({ value: event, done: false });
  };
  const fail = (error: unknown): void => {
    const pending = waiter;
    waiter = undefined;
    pending?.reject(error);
  };
  // Judges buffered events while someone waits, until one is delivered or a verdict is pending.
  const pump = (): void => {
    while (waiter && !judging && !done && buffer.length > 0) {
      const event = buffer.shift() as T;
      let verdict: Verdict | Promise<Verdict>;
      try {
        verdict = accept(event);
      } catch (error) {
        return fail(error);
      }
      if (typeof verdict === 'object') {
        judging = true;
        verdict.then((later) => {
          judging = false;
          if (done) return;
          settle(event, later);
          pump();
        }, (error: unknown) => {
          judging = false;
          fail(error);
        });
        return;
      }
      settle(event, verdict);
    }
  };

  const unsubscribe = [
    bus.subscribe(topic, (payload) => {
      if (done) return;
      buffer.push(payload as T);
      pump();
    }),
    ...endOn.map((condition) => bus.subscribe(condition.topic, (payload) => {
      if (condition.matches(payload)) finish();
    })),
  ];

  const iterator: AsyncIterableIterator<T> = {
    next() {
      if (done) return Promise.resolve(DONE);
      if (waiter) return Promise.reject(new Error('streamTopic: next() called while a previous next() is pending'));
      return new Promise<IteratorResult<T>>((resolve, reject) => {
        waiter = { resolve, reject };
        pump();
      });
    },
    return() {
      finish();
      return Promise.resolve(DONE);
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
