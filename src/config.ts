import 'reflect-metadata';
import {
  IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength, ValidateIf, validateSync,
} from 'class-validator';

export const NODE_ENVS = ['development', 'test', 'production'] as const;
export type NodeEnv = (typeof NODE_ENVS)[number];
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * Every setting careslot reads, from the environment only. Names match the
 * environment variables (README "Configuration" lists them all).
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
  @ValidateIf((c: Config) => c.NODE_ENV === 'production') @IsBoolean() INTROSPECTION = true;

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
  for (const [name, raw] of Object.entries(env)) {
    if (raw === undefined || !isSettingName(config, name)) continue;
    settings[name] = coerce(raw, settings[name]);
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

const OPTIONAL_SETTINGS = new Set(['PUBLIC_URL', 'DATABASE_URL', 'DATABASE_APP_URL', 'DATABASE_APP_ROLE', 'REDIS_URL', 'SECRET_KEY']);

function isSettingName(config: Config, name: string): boolean {
  return OPTIONAL_SETTINGS.has(name) || Object.prototype.hasOwnProperty.call(config, name);
}

/** Environment values are strings; each takes the type of its setting's default. */
function coerce(raw: string, defaultValue: unknown): unknown {
  if (typeof defaultValue === 'number') return raw.trim() === '' ? Number.NaN : Number(raw);
  if (typeof defaultValue === 'boolean') {
    if (/^(true|1|yes|on)$/i.test(raw)) return true;
    if (/^(false|0|no|off)$/i.test(raw)) return false;
    return raw;
  }
  if (Array.isArray(defaultValue)) return raw.split(',').map((item) => item.trim()).filter(Boolean);
  return raw === '' ? undefined : raw;
}
