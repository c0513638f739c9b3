import { BroadcastingBus } from '../../src/events/event-bus';

/** The event bus without a transport: this instance's handlers only (what the bus does locally is under test). */
export class LocalBus extends BroadcastingBus {
  errors: unknown[] = [];
  protected async send(): Promise<void> {}
  protected onHandlerError(error: unknown): void {
    this.errors.push(error);
  }
  async close(): Promise<void> {}
  /** Handlers subscribed to a topic right now. */
  handlerCount(topic: string): number {
    return (this as unknown as { handlers: Map<string, Set<unknown>> }).handlers.get(topic)?.size ?? 0;
  }
}
