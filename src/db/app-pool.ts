import { Pool } from 'pg';

export interface AppPoolOptions {
  url: string;
  size: number;
  applicationName?: string;
  onError: (error: Error) => void;
}

/**
 * The pool the application's transactions run on, connected as the non-owner app role. Errors of
 * idle connections (a server restart) are reported instead of crashing the process.
 */
export function createAppPool(options: AppPoolOptions): Pool {
  const pool = new Pool({ connectionString: options.url, max: options.size, application_name: options.applicationName ?? 'careslot' });
  pool.on('error', options.onError);
  return pool;
}
