import { Client, type Pool } from 'pg';
import type { Logger } from '../platform/logger';
import { TopicHandlers, type EventBus } from './event-bus';

const CHANNEL = 'careslot_events';
const MAX_BACKOFF_MS = 5000;

/** LISTEN on one dedicated connection (reconnecting with backoff); NOTIFY through the pool. */
export class PgNotifyBus implements EventBus {
  private readonly handlers = new TopicHandlers();
  private listener?: Client;
  private closed = false;
  private attempt = 0;

  constructor(
    private readonly connectionString: string,
    private readonly pool: Pool,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    await this.listen();
  }

  async publish(topic: string, payload: object): Promise<void> {
    await this.pool.query('SELECT pg_notify($1, $2)', [CHANNEL, JSON.stringify({ topic, payload })]);
  }

  subscribe(topic: string, handler: (payload: unknown) => void): () => void {
    return this.handlers.add(topic, handler);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.listener?.end().catch(() => undefined);
  }

  private async listen(): Promise<void> {
    const client = new Client({ connectionString: this.connectionString, application_name: 'careslot-events' });
    client.on('error', (error) => this.logger.warn({ err: error.message }, 'event listener connection failed'));
    client.on('end', () => this.scheduleReconnect());
    client.on('notification', (message) => {
      if (message.payload) this.handlers.dispatch(message.payload, (error) => this.logger.error({ err: String(error) }, 'event handler failed'));
    });
    await client.connect();
    await client.query(`LISTEN ${CHANNEL}`);
    this.listener = client;
    this.attempt = 0;
  }

  private scheduleReconnect(): void {
    if (this.closed) return;
    const delay = Math.min(MAX_BACKOFF_MS, 100 * 2 ** this.attempt++);
    setTimeout(() => {
      if (!this.closed) this.listen().catch(() => this.scheduleReconnect());
    }, delay).unref();
  }
}
