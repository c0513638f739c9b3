import { Client, type Pool } from 'pg';
import type { Logger } from '../platform/logger';
import { BroadcastingBus } from './event-bus';

const CHANNEL = 'careslot_events';
const MAX_BACKOFF_MS = 5000;
/** PostgreSQL refuses NOTIFY payloads of 8,000 bytes or more; a batch stays below. */
const MAX_BATCH_BYTES = 7_900;

interface Waiting {
  message: string;
  settle: (error?: unknown) => void;
}

/**
 * LISTEN on one dedicated connection (reconnecting with backoff); NOTIFY through the pool, after
 * commit. One NOTIFY is in flight at a time: events published meanwhile leave together in the next
 * one, newline-separated (JSON never holds a raw newline). Alone, an event leaves at once; under a
 * burst of bookings each NOTIFY (a statement, a round trip and a pooled connection of its own)
 * carries many of them.
 */
export class PgNotifyBus extends BroadcastingBus {
  private listener?: Client;
  private closed = false;
  private attempt = 0;
  private waiting: Waiting[] = [];
  private sending = false;

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

  protected send(message: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ message, settle: (error) => (error === undefined ? resolve() : reject(error)) });
      if (!this.sending) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.sending = true;
    while (this.waiting.length > 0) {
      const batch = takeBatch(this.waiting);
      try {
        await this.pool.query({ name: 'careslot_notify', text: 'SELECT pg_notify($1, $2)', values: [CHANNEL, batch.map((w) => w.message).join('\n')] });
        for (const w of batch) w.settle();
      } catch (error) {
        for (const w of batch) w.settle(error);
      }
    }
    this.sending = false;
  }

  protected onHandlerError(error: unknown): void {
    this.logger.error({ err: String(error) }, 'event handler failed');
  }

  private async listen(): Promise<void> {
    const client = new Client({ connectionString: this.connectionString, application_name: 'careslot-events' });
    client.on('error', (error) => this.logger.warn({ err: error.message }, 'event listener connection failed'));
    client.on('end', () => this.scheduleReconnect());
    client.on('notification', (message) => {
      if (message.payload) for (const line of message.payload.split('\n')) this.receive(line);
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

/** The oldest waiting events that fit one NOTIFY (at least one, however long: PostgreSQL judges it). */
function takeBatch(waiting: Waiting[]): Waiting[] {
  let bytes = Buffer.byteLength(waiting[0].message);
  let count = 1;
  while (count < waiting.length) {
    const next = bytes + 1 + Buffer.byteLength(waiting[count].message);
    if (next > MAX_BATCH_BYTES) break;
    bytes = next;
    count += 1;
  }
  return waiting.splice(0, count);
}
