import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { deriveKey } from './secret-key';

/**
 * Secrets careslot must send later (share link tokens, booking-system API keys) are kept with
 * AES-256-GCM under a key derived from SECRET_KEY: nonce (12) ‖ tag (16) ‖ ciphertext.
 */
export class SecretBox {
  private readonly key: Buffer;

  constructor(secretKey: Buffer, purpose: string) {
    this.key = deriveKey(secretKey, `secret-box:${purpose}`);
  }

  seal(plaintext: string): Buffer {
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce);
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return Buffer.concat([nonce, cipher.getAuthTag(), body]);
  }

  open(sealed: Buffer): string {
    const decipher = createDecipheriv('aes-256-gcm', this.key, sealed.subarray(0, 12));
    decipher.setAuthTag(sealed.subarray(12, 28));
    return Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]).toString('utf8');
  }
}
