import { Writable } from 'node:stream';
import pino from 'pino';

interface LogLine {
  level: number;
  msg?: string;
  requestId?: string;
  err?: string | { message?: string; type?: string };
}

const ERROR_LEVEL = 50;

/**
 * The test server's logger, keeping its error lines in memory by request id: a failure in the
 * report then says what the server logged for it (e.g. the PostgreSQL error behind an
 * INTERNAL_SERVER_ERROR), and error lines no answer explains are reported on their own.
 * With TEST_LOG_LEVEL set (as for every test server), the lines of that level also go to stdout.
 */
export class ServerErrorLog {
  readonly logger: pino.Logger;
  private lines: Array<{ requestId?: string; text: string }> = [];

  constructor(echoLevel: string | undefined = process.env.TEST_LOG_LEVEL) {
    const echo = echoLevel !== undefined && echoLevel !== 'silent';
    const stream = new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        if (echo) process.stdout.write(chunk);
        for (const text of String(chunk).split('\n').filter(Boolean)) this.keep(text);
        done();
      },
    });
    const level = echo && pino.levels.values[echoLevel] < ERROR_LEVEL ? echoLevel : 'error';
    this.logger = pino({ level, base: { service: 'careslot' } }, stream);
  }

  /** Takes what the server logged for these requests so far, one line each. */
  take(requestIds: readonly string[]): string[] {
    const taken = this.lines.filter((line) => line.requestId !== undefined && requestIds.includes(line.requestId));
    this.lines = this.lines.filter((line) => !taken.includes(line));
    return taken.map((line) => line.text);
  }

  /** Lines nobody took: of requests no answer named, of no request at all, or logged after their answer was checked. */
  untaken(): string[] {
    return this.lines.map((line) => (line.requestId ? `${line.text} (request ${line.requestId})` : line.text));
  }

  private keep(text: string): void {
    let line: LogLine;
    try {
      line = JSON.parse(text) as LogLine;
    } catch {
      this.lines.push({ text });
      return;
    }
    if (line.level < ERROR_LEVEL) return;
    const error = typeof line.err === 'string' ? line.err : line.err?.message ?? line.err?.type;
    this.lines.push({ requestId: line.requestId, text: `${line.msg ?? 'error'}${error ? `: ${error}` : ''}` });
  }
}
