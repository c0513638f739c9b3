import { Client, type Pool } from 'pg';
import type { Logger } from '../platform/logger';
import { BroadcastingBus } from './event-bus';

const CHANNEL = 'careslot_events';
const MAX_BACKOFF_MS = 5000;

/** LISTEN on one dedicated connection (reconnecting with backoff); NOTIFY through the pool, after commit. */
export class PgNotifyBus extends BroadcastingBus {
  private listener?: Client;
  private closed = false;
  private attempt = 0;

  constructor(
    private readonly connectionString: string,
    private readonly pool: Pool,
    private readonly logger: Logger,
  ) {
    super();
  }

  async start(): Promise<void> {
    await this.listen();
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.listener?.end().catch(() => undefined);
  }

  protected async send(message: string): Promise<void> {
    await this.pool.query('SELECT pg_notify($1, $2)', [CHANNEL, message]);
  }

  protected onHandlerError(error: unknown): void {
    this.logger.error({ err: String(error) }, 'event handler failed');
  }

  private async listen(): Promise<void> {
    const client = new Client({ connectionString: this.connectionString, application_name: 'careslot-events' });
    client.on('error', (error) => this.logger.warn({ err: error.message }, 'event listener connection failed'));
    client.on('end', () => this.scheduleReconnect());
    client.on('notification', (message) => {
      if (message.payload) this.receive(message.payload);
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
