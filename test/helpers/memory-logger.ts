import pino from 'pino';
import { Writable } from 'node:stream';

/** A pino logger that writes its JSON lines into memory: tests read what the server logged. */
export function memoryLogger(): { logger: pino.Logger; lines: () => Array<Record<string, unknown>>; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  const text = (): string => chunks.join('');
  return {
    logger: pino({ level: 'info', base: { service: 'careslot' } }, stream),
    text,
    lines: () => text().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}
