import { randomUUID } from 'node:crypto';

/**
 * Carries small JSON events (ids only) to every careslot instance that shares the database:
 * PostgreSQL LISTEN/NOTIFY by default, Redis when REDIS_URL is set. Publish only after commit.
 */
export interface EventBus {
  /** Handlers of this instance run before it resolves; other instances receive it through the transport. */
  publish(topic: string, payload: object): Promise<void>;
  /** To this instance's handlers only (events every instance learns by itself, e.g. from a peer server). */
  publishLocal(topic: string, payload: object): void;
  /** Returns the unsubscribe function. */
  subscribe(topic: string, handler: (payload: unknown) => void): () => void;
  close(): Promise<void>;
}

interface BusEnvelope {
  origin: string;
  topic: string;
  payload: unknown;
}

/**
 * The part every transport shares: local handlers run synchronously on publish (so a revocation
 * is in force before the revoking request answers), and an instance ignores its own echo.
 */
export abstract class BroadcastingBus implements EventBus {
  private readonly origin = randomUUID();
  /** How this instance's own envelopes begin (publish writes origin first): its echo is dropped unparsed. */
  private readonly ownPrefix = `{"origin":"${this.origin}"`;
  private readonly handlers = new Map<string, Set<(payload: unknown) => void>>();

  protected abstract send(message: string): Promise<void>;
  protected abstract onHandlerError(error: unknown): void;
  abstract close(): Promise<void>;

  async publish(topic: string, payload: object): Promise<void> {
    this.dispatch(topic, payload);
    await this.send(JSON.stringify({ origin: this.origin, topic, payload } satisfies BusEnvelope));
  }

  publishLocal(topic: string, payload: object): void {
    this.dispatch(topic, payload);
  }

  subscribe(topic: string, handler: (payload: unknown) => void): () => void {
    let set = this.handlers.get(topic);
    if (!set) this.handlers.set(topic, (set = new Set()));
    set.add(handler);
    return () => {
      set!.delete(handler);
      if (set!.size === 0) this.handlers.delete(topic);
    };
  }

  /** Transports call this with every message they receive. */
  protected receive(message: string): void {
    if (message.startsWith(this.ownPrefix)) return;
    let envelope: BusEnvelope;
    try {
      envelope = JSON.parse(message) as BusEnvelope;
    } catch (error) {
      this.onHandlerError(error);
      return;
    }
    if (envelope.origin !== this.origin) this.dispatch(envelope.topic, envelope.payload);
  }

  private dispatch(topic: string, payload: unknown): void {
    for (const handler of this.handlers.get(topic) ?? []) {
      try {
        handler(payload);
      } catch (error) {
        this.onHandlerError(error);
      }
    }
  }
}
