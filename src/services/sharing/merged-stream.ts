import type { EventBus } from '../../events/event-bus';

/** What one bus event becomes: values to deliver (none skips it), or 'end' to finish the stream. */
export type TopicHandler<T> = (payload: unknown) => Promise<T[] | 'end'>;

/**
 * Events of several bus topics as one async iterator (what a GraphQL subscription consumes),
 * optionally opened by values of its own (`first`).
 * Events are handled one at a time, in arrival order, only while the consumer pulls; a handler
 * that answers 'end' or fails finishes the stream (fail closed: the subscriber may resubscribe).
 */
export function mergedTopicStream<T>(bus: EventBus, handlers: Record<string, TopicHandler<T>>, first: readonly T[] = []): AsyncIterableIterator<T> {
  const pending: Array<{ topic: string; payload: unknown }> = [];
  // Delivered before any event: the topics are subscribed already, so nothing published after these is missed.
  const ready: T[] = [...first];
  let wake: (() => void) | undefined;
  let done = false;
  const unsubscribe = Object.keys(handlers).map((topic) =>
    bus.subscribe(topic, (payload) => {
      pending.push({ topic, payload });
      wake?.();
    }),
  );
  const finish = (): IteratorResult<T> => {
    if (!done) {
      done = true;
      for (const stop of unsubscribe) stop();
      pending.length = 0;
      ready.length = 0;
    }
    return { value: undefined, done: true };
  };
  const iterator: AsyncIterableIterator<T> = {
    async next() {
      while (!done) {
        if (ready.length > 0) return { value: ready.shift()!, done: false };
        const event = pending.shift();
        if (event === undefined) {
          await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
          continue;
        }
        let outcome: T[] | 'end';
        try {
          outcome = await handlers[event.topic](event.payload);
        } catch {
          outcome = 'end';
        }
        if (outcome === 'end') return finish();
        ready.push(...outcome);
      }
      return { value: undefined, done: true };
    },
    async return() {
      const result = finish();
      wake?.();
      return result;
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
