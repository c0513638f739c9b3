import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';

/**
 * Opaque credentials: `<kind>_<tenant id><credential id>_<secret>`, ids as 32 hex digits.
 * The ids let the server scope its lookup to the tenant (row-level security) without a global
 * index; only a SHA-256 of the secret is stored, and the secret is 256 random bits, so a fast
 * hash is enough and comparison is constant-time.
 */
export const TOKEN_KINDS = { api: 'cst', shareLink: 'csl' } as const;
export type TokenKind = keyof typeof TOKEN_KINDS;

export interface ParsedToken {
  kind: TokenKind;
  tenantId: string;
  credentialId: string;
  secret: string;
}

export interface IssuedToken {
  token: string;
  credentialId: string;
  secretHash: Buffer;
  /** Safe to show in lists: identifies the token without revealing it. */
  displayPrefix: string;
}

const SHAPE = /^(cst|csl)_([0-9a-f]{32})([0-9a-f]{32})_([A-Za-z0-9_-]{43})$/;

export function issueToken(kind: TokenKind, tenantId: string, credentialId: string = randomUUID()): IssuedToken {
  const secret = randomBytes(32).toString('base64url');
  const token = `${TOKEN_KINDS[kind]}_${hex(tenantId)}${hex(credentialId)}_${secret}`;
  return { token, credentialId, secretHash: hashSecret(secret), displayPrefix: displayPrefixOf(kind, credentialId) };
}

const KIND_OF_PREFIX = new Map<string, TokenKind>(Object.entries(TOKEN_KINDS).map(([kind, prefix]) => [prefix, kind as TokenKind]));

export function parseToken(text: string): ParsedToken | undefined {
  const match = SHAPE.exec(text);
  if (!match) return undefined;
  return { kind: KIND_OF_PREFIX.get(match[1])!, tenantId: uuid(match[2]), credentialId: uuid(match[3]), secret: match[4] };
}

export function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}

export function secretMatches(secret: string, storedHash: Buffer): boolean {
  const candidate = hashSecret(secret);
  return candidate.length === storedHash.length && timingSafeEqual(candidate, storedHash);
}

export function displayPrefixOf(kind: TokenKind, credentialId: string): string {
  return `${TOKEN_KINDS[kind]}_…${hex(credentialId).slice(0, 8)}`;
}

const hex = (id: string): string => id.replace(/-/g, '').toLowerCase();
const uuid = (h: string): string => `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
