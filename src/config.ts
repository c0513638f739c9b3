import 'reflect-metadata';
import {
  IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength, ValidateIf, getMetadataStorage, validateSync,
} from 'class-validator';

export const NODE_ENVS = ['development', 'test', 'production'] as const;
export type NodeEnv = (typeof NODE_ENVS)[number];
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * Every setting careslot reads, from the environment only. Names match the
 * environment variables (README "Configuration" lists them all).
 *
 * This class is the one declaration: a property is a setting because it carries validation
 * decorators (SETTINGS below is read from them), optional ones included. A property without a
 * validator is not a setting, and test/unit/config.test.ts fails on it.
 */
export class Config {
  @IsIn(NODE_ENVS) NODE_ENV: NodeEnv = 'development';
  @IsInt() @Min(0) @Max(65535) PORT = 4000;
  @IsString() HOST = '127.0.0.1';
  /** Public base URL of this server, told to peers in shares. Defaults to http://HOST:PORT. */
  @IsOptional() @IsString() PUBLIC_URL?: string;

  /** Owner connection (runs migrations). Unset: the embedded PostgreSQL in .data/. */
  @IsOptional() @IsString() DATABASE_URL?: string;
  /** Non-owner login the app connects as. Unset: the login role DATABASE_APP_ROLE on DATABASE_URL's server. */
  @IsOptional() @IsString() DATABASE_APP_URL?: string;
  /**
   * This deployment's own login role (a member of careslot_app), created and given a password at start.
   * Unset: careslot_app_<database name>, so deployments sharing a PostgreSQL server never share one.
   */
  @IsOptional() @Matches(/^[a-z_][a-z0-9_]{0,62}$/, { message: 'DATABASE_APP_ROLE must be a lower-case PostgreSQL identifier (a-z, 0-9, _; at most 63)' })
  DATABASE_APP_ROLE?: string;
  @IsInt() @Min(1) @Max(500) DATABASE_POOL_SIZE = 20;
  @IsBoolean() MIGRATIONS_RUN = true;
  /** Seed demo tenants, centres and agendas at start (default: on for the embedded database in development, off against DATABASE_URL). */
  @IsBoolean() DEMO_DATA = false;
  @IsOptional() @IsString() REDIS_URL?: string;
  /** Where the embedded database and generated secrets live. */
  @IsString() DATA_DIR = '.data';

  @IsIn(LOG_LEVELS) LOG_LEVEL: (typeof LOG_LEVELS)[number] = 'info';

  /** 32-byte key (base64 or hex) for secrets stored at rest; generated into DATA_DIR unless production. */
  @ValidateIf((c: Config) => c.NODE_ENV === 'production' || c.SECRET_KEY !== undefined)
  @IsString() @MinLength(32) SECRET_KEY?: string;

  /** Comma-separated list of browser origins allowed by CORS. */
  @IsString({ each: true }) CORS_ORIGINS: string[] = [];
  /** Schema introspection (default: on, except in production). */
  @IsBoolean() INTROSPECTION = true;

  @IsInt() @Min(1024) BODY_LIMIT_BYTES = 100 * 1024;
  @IsInt() @Min(1) MAX_DEPTH = 10;
  @IsInt() @Min(1) MAX_ALIASES = 30;
  @IsInt() @Min(1) MAX_DIRECTIVES = 50;
  @IsInt() @Min(1) MAX_COST = 5000;
  @IsInt() @Min(100) MAX_TOKENS = 5000;
  @IsInt() @Min(100) WS_INIT_TIMEOUT_MS = 5000;
  @IsInt() @Min(1) WS_MAX_SUBSCRIPTIONS = 20;
  @IsInt() @Min(1024) WS_MAX_MESSAGE_BYTES = 64 * 1024;
  /** Requests per minute per principal (HTTP and WebSocket operations alike). */
  @IsInt() @Min(1) RATE_LIMIT_PER_MINUTE = 6000;
  /** Failed sign-ins one client address may make per SIGN_IN_FAILURE_WINDOW_SECONDS; past it: 429 for the rest of the window. */
  @IsInt() @Min(1) SIGN_IN_FAILURES_PER_ADDRESS = 20;
  /** Failed sign-ins one token id may see per window, from any address; its holder still signs in with the right secret. */
  @IsInt() @Min(1) SIGN_IN_FAILURES_PER_TOKEN = 10;
  @IsInt() @Min(1) @Max(86_400) SIGN_IN_FAILURE_WINDOW_SECONDS = 60;
  @IsInt() @Min(1) @Max(366) AVAILABILITY_MAX_DAYS = 31;
  /** Deadline of one call to a peer server (sharing); past it the caller gets REMOTE_UNAVAILABLE. */
  @IsInt() @Min(100) PEER_TIMEOUT_MS = 5000;
  @IsInt() @Min(1024) PEER_MAX_RESPONSE_BYTES = 1024 * 1024;
  /** After a booking the sharing server may have made without answering in time: how long a retry may still record it before its twin is withdrawn. */
  @IsInt() @Min(1) UNCONFIRMED_BOOKING_GRACE_SECONDS = 120;
  /** How long a hold ("Start the reservation") keeps its slot for its holder. */
  @IsInt() @Min(1) @Max(3600) HOLD_SECONDS = 300;
  /** Outbound calls to user-given URLs may reach loopback (default: yes, except in production). */
  @IsBoolean() OUTBOUND_ALLOW_LOOPBACK = true;
  /** Extra comma-separated CIDRs outbound calls may never reach (private and link-local ranges always are). */
  @IsString({ each: true }) @Matches(/^[0-9a-fA-F:.]+\/\d{1,3}$/, { each: true, message: 'OUTBOUND_DENIED_CIDRS must list CIDR ranges such as 203.0.113.0/24 or 2001:db8::/32' })
  OUTBOUND_DENIED_CIDRS: string[] = [];
  /** Run the durable job queue's worker in this process. */
  @IsBoolean() JOBS_RUN = true;
  /** First retry delay of a failed delivery; doubles each time up to JOB_RETRY_MAX_MS. */
  @IsInt() @Min(10) JOB_RETRY_BASE_MS = 1000;
  @IsInt() @Min(100) JOB_RETRY_MAX_MS = 300_000;
  /** How often each instance looks for engagement-index work waiting in the outbox (seed 003). */
  @IsInt() @Min(10) ENGAGEMENT_INDEX_POLL_MS = 250;
  /** How often each instance queues the engagement-index deletes of bookings whose start has passed. */
  @IsInt() @Min(100) ENGAGEMENT_INDEX_SWEEP_MS = 60_000;
  /** Adds `x-sql-statements` and `x-sql-transactions` response headers (tests and benchmarks count them per request). */
  @IsBoolean() DEBUG_SQL_COUNT = false;

  get isProduction(): boolean { return this.NODE_ENV === 'production'; }
  get isDevelopment(): boolean { return this.NODE_ENV === 'development'; }
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const config = new Config();
  const settings = config as unknown as Record<string, unknown>;
  for (const name of SETTINGS) {
    const raw = env[name];
    if (raw !== undefined) settings[name] = coerce(raw, kindOf(name, settings[name]));
  }
  if (config.NODE_ENV === 'production' && env.INTROSPECTION === undefined) config.INTROSPECTION = false;
  // Demo tenants (with admin tokens) belong on the throw-away embedded database, never unasked in a real one.
  if (config.NODE_ENV === 'development' && env.DEMO_DATA === undefined) config.DEMO_DATA = config.DATABASE_URL === undefined;
  if (config.NODE_ENV === 'production' && env.OUTBOUND_ALLOW_LOOPBACK === undefined) config.OUTBOUND_ALLOW_LOOPBACK = false;
  Object.assign(config, overrides);
  const errors = validateSync(config, { forbidUnknownValues: false });
  if (errors.length > 0) {
    throw new ConfigError(errors.map((e) => `${e.property}: ${Object.values(e.constraints ?? {}).join('; ')}`));
  }
  return config;
}

/**
 * The names of all settings, in declaration order: every property of Config that carries a
 * validation decorator (optional ones without a default included). Read from class-validator's
 * metadata, so there is no second list to keep in step.
 */
export const SETTINGS: readonly string[] = Object.freeze([
  ...new Set(getMetadataStorage().getTargetValidationMetadatas(Config, '', true, false).map((m) => m.propertyName)),
]);

type Kind = 'number' | 'boolean' | 'list' | 'string';

/** A setting's type: that of its default, or (optional ones without a default) of its declared type. */
function kindOf(name: string, defaultValue: unknown): Kind {
  if (typeof defaultValue === 'number') return 'number';
  if (typeof defaultValue === 'boolean') return 'boolean';
  if (Array.isArray(defaultValue)) return 'list';
  if (defaultValue !== undefined) return 'string';
  const declared: unknown = Reflect.getMetadata('design:type', Config.prototype, name);
  return declared === Number ? 'number' : declared === Boolean ? 'boolean' : declared === Array ? 'list' : 'string';
}

/** Environment values are strings; each takes the type of its setting. */
function coerce(raw: string, kind: Kind): unknown {
  if (kind === 'number') return raw.trim() === '' ? Number.NaN : Number(raw);
  if (kind === 'boolean') {
    if (/^(true|1|yes|on)$/i.test(raw)) return true;
    if (/^(false|0|no|off)$/i.test(raw)) return false;
    return raw;
  }
  if (kind === 'list') return raw.split(',').map((item) => item.trim()).filter(Boolean);
  return raw === '' ? undefined : raw;
}

export interface UnknownSetting {
  /** The environment variable as set. */
  name: string;
  /** The setting it most likely meant: the nearest by spelling, else the nearest of its family. */
  suggestion: string;
  /** "DATABSE_URL is not a careslot setting; did you mean DATABASE_URL?" */
  message: string;
}

/**
 * Name prefixes that belong to other software, so they make no setting family even though a
 * setting starts with them (NODE_OPTIONS is Node.js's, DEBUG_COLORS the debug package's, JOB_NAME
 * and JOB_URL are Jenkins's): a setting with such a first word makes a family of its first two
 * words (DEBUG_SQL_, JOB_RETRY_) instead.
 */
const FOREIGN_PREFIXES = new Set(['NODE', 'DEBUG', 'JOB']);

/**
 * Setting families: the first word of each setting's name (DATABASE_, MAX_, WS_, …), or its first
 * two for a foreign first word; single-word settings (PORT, HOST, INTROSPECTION) make none.
 */
function settingFamilies(): Map<string, string[]> {
  const families = new Map<string, string[]>();
  for (const name of SETTINGS) {
    const words = name.split('_');
    const take = FOREIGN_PREFIXES.has(words[0]) ? 2 : 1;
    if (words.length <= take) continue;
    const prefix = `${words.slice(0, take).join('_')}_`;
    families.set(prefix, [...(families.get(prefix) ?? []), name]);
  }
  return families;
}

/** Kubernetes (and Docker links) inject FOO_SERVICE_HOST, FOO_PORT=tcp://…, FOO_PORT_5432_TCP_ADDR, … per service. */
function isServiceLink(name: string, value: string): boolean {
  return /_SERVICE_(HOST|PORT)(_|$)/.test(name) || /_PORT_\d+_(TCP|UDP|SCTP)(_|$)/.test(name)
    || (/_PORT$/.test(name) && /^(tcp|udp|sctp):\/\//.test(value));
}

/** Settings of 4 letters (PORT, HOST) take one typo, longer ones two: HOME, PGHOST and PGPORT are no typos. */
const typoDistance = (setting: string) => (setting.length <= 4 ? 1 : 2);

/**
 * Environment variables that are set and look like careslot settings but are none: within a typo
 * of a setting's name (DATABSE_URL, PORTT, database_url) or in a setting's family (DATABASE_HOST,
 * WS_TIMEOUT_MS). Each comes with the setting it most likely meant. Not an error: start warns.
 */
export function unknownSettings(env: NodeJS.ProcessEnv = process.env): UnknownSetting[] {
  const known = new Set(SETTINGS);
  const families = settingFamilies();
  const found: UnknownSetting[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || known.has(name) || isServiceLink(name, value)) continue;
    const upper = name.toUpperCase();
    let nearest: { setting: string; distance: number } | undefined;
    for (const setting of SETTINGS) {
      const distance = editDistance(upper, setting, typoDistance(setting));
      if (distance <= typoDistance(setting) && (!nearest || distance < nearest.distance)) nearest = { setting, distance };
    }
    const family = [...families].find(([prefix]) => upper.startsWith(prefix))?.[1];
    const suggestion = nearest?.setting ?? (family && closest(upper, family));
    if (!suggestion) continue;
    found.push({ name, suggestion, message: `${name} is not a careslot setting; did you mean ${suggestion}?` });
  }
  return found.sort((a, b) => a.name.localeCompare(b.name));
}

function closest(name: string, candidates: string[]): string {
  let best = candidates[0];
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = editDistance(name, candidate, Number.POSITIVE_INFINITY);
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best;
}

/**
 * Edit distance of a and b: insertions, deletions, substitutions and swaps of neighbours (HSOT)
 * count one each (optimal string alignment); anything past `limit` is reported as limit + 1.
 */
export function editDistance(a: string, b: string, limit = Number.POSITIVE_INFINITY): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i += 1) {
    for (let j = 1; j <= b.length; j += 1) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return Math.min(d[a.length][b.length], limit + 1);
}
