/**
 * Carries small JSON events (ids only) to every careslot instance that shares the database:
 * PostgreSQL LISTEN/NOTIFY by default, Redis when REDIS_URL is set. Publish only after commit.
 */
export interface EventBus {
  publish(topic: string, payload: object): Promise<void>;
  /** Returns the unsubscribe function. Handlers run for events from every instance, this one included. */
  subscribe(topic: string, handler: (payload: unknown) => void): () => void;
  close(): Promise<void>;
}

export interface BusEnvelope {
  topic: string;
  payload: unknown;
}

/** Fan-out of received envelopes to local handlers; shared by every transport. */
export class TopicHandlers {
  private readonly handlers = new Map<string, Set<(payload: unknown) => void>>();

  add(topic: string, handler: (payload: unknown) => void): () => void {
    let set = this.handlers.get(topic);
    if (!set) this.handlers.set(topic, (set = new Set()));
    set.add(handler);
    return () => {
      set!.delete(handler);
      if (set!.size === 0) this.handlers.delete(topic);
    };
  }

  dispatch(raw: string, onError: (error: unknown) => void): void {
    let envelope: BusEnvelope;
    try {
      envelope = JSON.parse(raw) as BusEnvelope;
    } catch (error) {
      onError(error);
      return;
    }
    for (const handler of this.handlers.get(envelope.topic) ?? []) {
      try {
        handler(envelope.payload);
      } catch (error) {
        onError(error);
      }
    }
  }
}
