import Redis from 'ioredis';
import type { Logger } from '../platform/logger';
import { BroadcastingBus } from './event-bus';

const CHANNEL = 'careslot:events';

/** Redis pub/sub: for deployments that already run Redis and want events off the database. */
export class RedisBus extends BroadcastingBus {
  private readonly publisher: Redis;
  private readonly subscriber: Redis;

  constructor(url: string, private readonly logger: Logger) {
    super();
    this.publisher = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 3 });
    this.subscriber = new Redis(url, { lazyConnect: true });
    for (const client of [this.publisher, this.subscriber]) {
      client.on('error', (error: Error) => this.logger.warn({ err: error.message }, 'redis connection failed'));
    }
    this.subscriber.on('message', (_channel: string, message: string) => this.receive(message));
  }

  async start(): Promise<void> {
    await Promise.all([this.publisher.connect(), this.subscriber.connect()]);
    await this.subscriber.subscribe(CHANNEL);
  }

  async close(): Promise<void> {
    this.subscriber.disconnect();
    this.publisher.disconnect();
  }

  protected async send(message: string): Promise<void> {
    await this.publisher.publish(CHANNEL, message);
  }

  protected onHandlerError(error: unknown): void {
    this.logger.error({ err: String(error) }, 'event handler failed');
  }
}
