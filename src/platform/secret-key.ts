import { createHmac, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config';

/**
 * The key that encrypts secrets at rest. Production must configure SECRET_KEY; elsewhere
 * one is generated once into DATA_DIR so a developer's stored credentials survive restarts.
 */
export function loadSecretKey(config: Config): Buffer {
  if (config.SECRET_KEY) return decodeKey(config.SECRET_KEY);
  if (config.isProduction) throw new Error('SECRET_KEY is required in production');
  const file = join(config.DATA_DIR, 'secret.key');
  if (!existsSync(file)) {
    mkdirSync(config.DATA_DIR, { recursive: true });
    writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600 });
  }
  chmodSync(file, 0o600);
  return decodeKey(readFileSync(file, 'utf8').trim());
}

function decodeKey(text: string): Buffer {
  const key = /^[0-9a-f]{64}$/i.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  if (key.length < 32) throw new Error('SECRET_KEY must hold at least 32 bytes (64 hex digits or base64)');
  return key;
}

/** A stable sub-key for one purpose, so one configured key never serves two uses directly. */
export function deriveKey(secretKey: Buffer, purpose: string): Buffer {
  return createHmac('sha256', secretKey).update(purpose).digest();
}
