import pino from 'pino';
import type { Config } from '../config';

export type Logger = pino.Logger;

/**
 * Structured JSON logs. Authorization headers, tokens, variables and patient fields are never
 * passed to the logger; the redaction list is a second line of defence should one slip in.
 * Lines go to stdout asynchronously: under load the lines written while one write is in flight
 * leave in the next single write (one syscall per line cost as much as a small operation);
 * pino flushes what is pending when the process exits.
 */
export function createLogger(config: Pick<Config, 'LOG_LEVEL'>): Logger {
  return pino({
    level: config.LOG_LEVEL,
    base: { service: 'careslot' },
    redact: {
      paths: ['*.authorization', '*.token', '*.password', '*.secret', 'variables', '*.variables', 'req.headers'],
      censor: '[redacted]',
    },
  }, pino.destination({ dest: 1, sync: false }));
}
