import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../src/db/embedded/embedded-postgres';

jest.setTimeout(120_000);

const testRoot = path.resolve(__dirname, '../../.data', `test-embedded-${randomBytes(4).toString('hex')}`);
const dataDir = path.join(testRoot, 'pg');
const logged: string[] = [];
const running = new Set<EmbeddedDatabase>();

async function start(): Promise<EmbeddedDatabase> {
  const database = await startEmbeddedPostgres({ dataDir, log: (line) => logged.push(line) });
  running.add(database);
  return database;
}

async function stop(database: EmbeddedDatabase): Promise<void> {
  await database.stop();
  running.delete(database);
}

async function query<Row>(url: string, sql: string): Promise<Row[]> {
  const client = new Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return (await client.query(sql)).rows as Row[];
  } finally {
    await client.end();
  }
}

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await once(child, 'exit');
  return child.pid!;
}

afterAll(async () => {
  await Promise.all([...running].map((database) => database.stop()));
  await fs.rm(testRoot, { recursive: true, force: true });
});

describe('embedded PostgreSQL', () => {
  let firstUrl = '';

  it('initialises a cluster, answers queries and stops idempotently', async () => {
    const database = await start();
    firstUrl = database.url;
    expect(database.url).toMatch(/^postgres:\/\/postgres:[^@]+@127\.0\.0\.1:\d+\/postgres$/);
    expect(await query(database.url, 'select 1 as one')).toEqual([{ one: 1 }]);
    await query(database.url, "create table kept (note text); insert into kept values ('survives restarts')");
    expect((await fs.stat(`${dataDir}.password`)).mode & 0o777).toBe(0o600);
    await Promise.all([stop(database), database.stop()]);
    await database.stop();
    await expect(query(database.url, 'select 1')).rejects.toThrow();
  });

  it('restarts on the same data, password and port', async () => {
    const database = await start();
    expect(database.url).toBe(firstUrl);
    expect(await query(database.url, 'select note from kept')).toEqual([{ note: 'survives restarts' }]);
    await stop(database);
  });

  it('recovers from a stale postmaster.pid whose process is gone', async () => {
    const pid = await deadPid();
    await fs.writeFile(path.join(dataDir, 'postmaster.pid'), `${pid}\n${dataDir}\n0\n0\n\n\n\n\n`, { mode: 0o600 });
    const database = await start();
    expect(await query(database.url, 'select count(*)::int as n from kept')).toEqual([{ n: 1 }]);
    await stop(database);
    expect(logged.filter((line) => /FATAL|PANIC/.test(line))).toEqual([]);
  });
});
