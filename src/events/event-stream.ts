import type { EventBus } from './event-bus';

/**
 * Bus events of one topic as an async iterator (what GraphQL subscriptions consume). `accept`
 * runs for every event before it is delivered: false skips it, 'end' finishes the stream (e.g.
 * the subscriber's token was revoked).
 */
export function streamTopic<T>(
  bus: EventBus,
  topic: string,
  accept: (event: T) => Promise<boolean | 'end'>,
): AsyncIterableIterator<T> {
  const buffer: T[] = [];
  let wake: (() => void) | undefined;
  let done = false;
  const unsubscribe = bus.subscribe(topic, (payload) => {
    buffer.push(payload as T);
    wake?.();
  });
  const finish = (): IteratorResult<T> => {
    done = true;
    unsubscribe();
    buffer.length = 0;
    return { value: undefined, done: true };
  };
  const iterator: AsyncIterableIterator<T> = {
    async next() {
      while (!done) {
        const event = buffer.shift();
        if (event === undefined) {
          await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
          continue;
        }
        const verdict = await accept(event);
        if (verdict === 'end') return finish();
        if (verdict) return { value: event, done: false };
      }
      return { value: undefined, done: true };
    },
    async return() {
      wake?.();
      return finish();
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
