import { Client } from 'pg';

/** Row count and a hash of every row's text, per table (or part of a table). */
export type DatabaseSnapshot = ReadonlyMap<string, { rows: number; digest: string }>;

/**
 * Parts of the database that may change although the mutation that ran was turned down:
 * - `api_tokens.last_used_at` is left out of the `api_tokens` digest everywhere: authentication
 *   stamps it (at most once a minute per token) on any request, rejected ones included — that is
 *   what the column is for. The rest of the row (revocation above all) is compared.
 * - Tested share links: `testShareLink` and `createShareLink` count every failed attempt
 *   (`attempt_counters`) and audit it (`audit_events` with action `share-link.tested`), because
 *   "more than five failed tests block you for an hour" is the documented rule. Those two sources
 *   are split out below and allowed to change for those two mutations only; every other audit
 *   event must not appear after a rejection.
 * - Failed sign-ins: `sign_in_failures` counts them per client address and token id (the sign-in
 *   throttle); it may change when the caller had no valid token, and only then. (Its store deletes
 *   rows expired for an hour every five minutes: never within a test run's database.)
 * - A share link's health (`status`, `last_contact_at`, `last_problem`, `status_changed_at`) is left out
 *   of the `share_links` digest everywhere: the live watch and every call to the sharing server keep
 *   it current in the background, whatever the request at hand. The rest of the row is compared.
 * - A booking-system connection's health (`status`, `last_contact_at`, `last_problem`) likewise,
 *   and its tests count and audit failed attempts as share links' do (one limiter).
 * Not compared at all: the `graphile_worker` schema (the job queue, outside `public`), which the
 * worker consumes at its own pace, and `partner_feed_sweeps`, where every instance's minute
 * sweeper records the window edge it swept.
 */
const COUNTED_LINK_TESTS = ['attempt_counters', 'audit_events[share-link.tested]'];
const COUNTED_CONNECTION_TESTS = ['attempt_counters', 'audit_events[booking-system-connection.tested]'];
const COUNTED_SIGN_IN_FAILURES = ['sign_in_failures'];
const CONNECTION_TESTS = ['testBookingSystemConnection', 'testAndSaveBookingSystemConnection'];
const BACKGROUND_TABLES: ReadonlySet<string> = new Set(['partner_feed_sweeps']);

export function allowedChangesOnRejection(field: string, callerHadValidToken: boolean): string[] {
  return [
    ...(field === 'testShareLink' || field === 'createShareLink' ? COUNTED_LINK_TESTS : []),
    ...(CONNECTION_TESTS.includes(field) ? COUNTED_CONNECTION_TESTS : []),
    ...(callerHadValidToken ? [] : COUNTED_SIGN_IN_FAILURES),
  ];
}

interface DigestSource {
  name: string;
  table: string;
  rowText: string;
  where?: string;
}

function sourcesOf(table: string): DigestSource[] {
  if (table === 'api_tokens') return [{ name: table, table, rowText: `(to_jsonb(t) - 'last_used_at')::text` }];
  if (table === 'share_links') {
    return [{ name: table, table, rowText: `(to_jsonb(t) - 'status' - 'last_contact_at' - 'last_problem' - 'status_changed_at')::text` }];
  }
  if (table === 'booking_system_connections') {
    return [{ name: table, table, rowText: `(to_jsonb(t) - 'status' - 'last_contact_at' - 'last_problem')::text` }];
  }
  if (table === 'audit_events') {
    const counted = ['share-link.tested', 'booking-system-connection.tested'];
    return [
      { name: 'audit_events', table, rowText: 't::text', where: `t.action NOT IN (${counted.map((action) => `'${action}'`).join(', ')})` },
      ...counted.map((action) => ({ name: `audit_events[${action}]`, table, rowText: 't::text', where: `t.action = '${action}'` })),
    ];
  }
  if (BACKGROUND_TABLES.has(table)) return [];
  return [{ name: table, table, rowText: 't::text' }];
}

const quoteIdentifier = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/**
 * Snapshots of every table of schema `public`, read as the database owner in one statement. The
 * owner's connection must see every tenant's rows (the test database's owner is a superuser, so
 * row-level security does not hide them); `open` checks that it does.
 */
export class DatabaseDigest {
  private constructor(private readonly client: Client, private readonly statement: string) {}

  static async open(databaseUrl: string, tenantIds: readonly string[]): Promise<DatabaseDigest> {
    const client = new Client({ connectionString: databaseUrl });
    await client.connect();
    const { rows } = await client.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`,
    );
    const statement = rows.flatMap((row) => sourcesOf(row.table_name)).map((source) =>
      `SELECT ${`'${source.name}'`} AS source, count(*)::int AS rows, coalesce(md5(string_agg(${source.rowText}, E'\\n' ORDER BY ${source.rowText})), '') AS digest
       FROM public.${quoteIdentifier(source.table)} t${source.where ? ` WHERE ${source.where}` : ''}`,
    ).join('\nUNION ALL\n');
    const digest = new DatabaseDigest(client, statement);
    const visible = await client.query<{ count: number }>('SELECT count(*)::int AS count FROM public.tenants WHERE id = ANY($1::uuid[])', [tenantIds]);
    if (visible.rows[0].count !== tenantIds.length) {
      await client.end();
      throw new Error('the database snapshot connection does not see every tenant (row-level security?): use a superuser DATABASE_URL');
    }
    return digest;
  }

  async take(): Promise<DatabaseSnapshot> {
    const { rows } = await this.client.query<{ source: string; rows: number; digest: string }>(this.statement);
    return new Map(rows.map((row) => [row.source, { rows: row.rows, digest: row.digest }]));
  }

  close(): Promise<void> {
    return this.client.end();
  }
}

/** Sources that differ between two snapshots, except the allowed ones; e.g. `appointments (3 → 4 rows)`. */
export function changedSources(before: DatabaseSnapshot, after: DatabaseSnapshot, allowed: readonly string[] = []): string[] {
  const changed: string[] = [];
  for (const [source, was] of before) {
    const now = after.get(source);
    if (allowed.includes(source) || (now && now.digest === was.digest)) continue;
    changed.push(`${source} (${was.rows} → ${now?.rows ?? '?'} rows)`);
  }
  return changed;
}
