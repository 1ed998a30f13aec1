// No hang: a connection that froze mid-dump or mid-restore (a loopback TCP proxy that stops
// forwarding but keeps every socket open) ends in StreamStalledError within the watchdog's
// time plus a few seconds, naming the connection, with no partial file and no child left;
// a server merely busy on one long statement is not a stall; a pg client bounded by
// queryTimeoutMs gives up on a frozen connection; and every connection asks the OS for
// TCP keepalives, over TCP and harmlessly over a Unix socket.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openClient, type DbSettings } from '../../../src/main/core/postgres/connect';
import { ConnectionTimeoutError } from '../../../src/main/core/postgres/connectionErrors';
import { dumpSchema } from '../../../src/main/core/postgres/dumpSchema';
import { StreamStalledError } from '../../../src/main/core/postgres/pgToolErrors';
import { conninfoFor, pgToolEnv, pgpassEntriesFor } from '../../../src/main/core/postgres/pgToolProcess';
import { findPgTools, type PgTools } from '../../../src/main/core/postgres/pgTools';
import { restoreIntoSchema } from '../../../src/main/core/postgres/restoreIntoSchema';
import { withPrivatePgpassFile } from '../../../src/main/core/secrets/privatePgpassFile';
import { Secret } from '../../../src/main/core/secrets/secret';
import { createContentServer } from '../../harness/coremedia/contentServerDatabase';
import { startCluster, type PgCluster } from '../../harness/postgresCluster';
import { startTcpProxy, type TcpProxy } from '../../harness/tcpProxy';
import { processesMentioning } from '../../harness/processes';

const pw = (): string => randomBytes(12).toString('base64url');
const PW = { master: pw(), replica: pw(), slow: pw() };
const STALL_MS = 2_000;
/** What a stall may take beyond the watchdog's time: its tick, the server check, stopping the tools. */
const GRACE_MS = 6_000;

let c: PgCluster;
let tools: PgTools;
let dir: string;
let masterDump: string;
let proxy: TcpProxy | null = null;

const dbOf = (host: string, port: number, database: string, user: string): DbSettings => ({ host, port, database, user, sslmode: 'disable' });


/** The keepalive timer ss reports for established TCP sockets matching `filter`, in seconds (null: none). */
function keepaliveTimers(filter: string): (number | null)[] {
  const out = execFileSync('ss', ['-tnoH', 'state', 'established', filter], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => {
      const m = /timer:\(keepalive,(?:(\d+)min)?(?:([\d.]+)sec)?/.exec(l);
      return m ? Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0) : null;
    });
}

beforeAll(async () => {
  c = await startCluster();
  tools = await findPgTools({ env: process.env });
  dir = mkdtempSync(join(tmpdir(), 'replica-desk-nohang-'));
  // ~24 MB of blobs, ~48 MB of COPY text: more than the socket buffers can swallow after a freeze.
  await createContentServer(c, { layout: 'database-per-server', database: 'master', role: 'cm_master', password: PW.master, serverType: 'publication', sizeMb: 24 });
  await createContentServer(c, { layout: 'database-per-server', database: 'rls', role: 'cm_replication', password: PW.replica, serverType: 'live' });
  await c.query('DROP SCHEMA cm_replication CASCADE', undefined, 'rls');
  masterDump = (await dumpSchema({ tools, db: dbOf(c.host, c.port, 'master', 'cm_master'), password: new Secret(PW.master), schema: 'cm_master', file: join(dir, 'master.dump') })).file;
}, 180_000);

afterEach(async () => {
  await proxy?.close();
  proxy = null;
});

afterAll(async () => {
  await c?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a frozen connection', () => {
  it('mid-dump: StreamStalledError naming pg_dump and the connection, within the stall time; no partial file, no pg_dump left', async () => {
    proxy = await startTcpProxy({ host: c.host, port: c.port });
    proxy.freezeAfter(2 * 1024 * 1024, 'toClient');
    const file = join(dir, `frozen-${randomBytes(4).toString('hex')}.dump`);
    const error = await dumpSchema({
      tools,
      db: dbOf(proxy.host, proxy.port, 'master', 'cm_master'),
      password: new Secret(PW.master),
      schema: 'cm_master',
      file,
      stallTimeoutMs: STALL_MS,
    }).catch((e: unknown) => e);
    const frozenFor = Date.now() - (proxy.frozenSince ?? Number.NaN);

    expect(error).toBeInstanceOf(StreamStalledError);
    const stalled = error as StreamStalledError;
    expect(stalled.code).toBe('stream-stalled');
    expect(stalled.tool).toBe('pg_dump');
    expect(stalled.message).toContain(`pg_dump to PostgreSQL at 127.0.0.1:${proxy.port}/master as user "cm_master"`);
    expect(stalled.hint).toContain('replica-desk runs resume');
    expect(stalled.stalledMs).toBeGreaterThanOrEqual(STALL_MS);
    expect(frozenFor).toBeLessThan(STALL_MS + GRACE_MS);
    expect(existsSync(`${file}.partial`)).toBe(false);
    expect(existsSync(file)).toBe(false);
    expect(processesMentioning(file)).toEqual([]);
    expect(stalled.message).not.toContain(PW.master);
  }, 30_000);

  it('mid-restore: StreamStalledError naming psql and the connection, nothing kept, no child left; a later restore finishes', async () => {
    proxy = await startTcpProxy({ host: c.host, port: c.port });
    const target = { ...dbOf(proxy.host, proxy.port, 'rls', 'cm_replication'), schema: 'cm_replication' };
    proxy.freezeAfter(2 * 1024 * 1024, 'toServer');
    const error = await restoreIntoSchema({ tools, dumpFile: masterDump, sourceSchema: 'cm_master', target, password: new Secret(PW.replica), stallTimeoutMs: STALL_MS }).catch(
      (e: unknown) => e,
    );
    const frozenFor = Date.now() - (proxy.frozenSince ?? Number.NaN);

    expect(error).toBeInstanceOf(StreamStalledError);
    const stalled = error as StreamStalledError;
    expect(stalled.tool).toBe('psql');
    expect(stalled.message).toContain(`psql to PostgreSQL at 127.0.0.1:${proxy.port}/rls as user "cm_replication"`);
    // The watchdog asked the server on a fresh connection, which the frozen proxy held too.
    expect(stalled.message).toMatch(/a new connection did not get through either/);
    expect(frozenFor).toBeLessThan(STALL_MS + GRACE_MS);
    expect(processesMentioning(masterDump)).toEqual([]);
    // This restore's psql only: other test files restore in parallel, with psql processes of their own.
    expect(processesMentioning(`port='${proxy.port}'`)).toEqual([]);

    // The network comes back (here: the proxy goes away): the server ends the session and rolls back.
    await proxy.close();
    await expect.poll(async () => (await c.query(`SELECT 1 FROM pg_stat_activity WHERE application_name LIKE 'replica-desk-restore-%'`)).rowCount).toBe(0);
    expect((await c.query(`SELECT 1 FROM pg_namespace WHERE nspname = 'cm_replication'`, undefined, 'rls')).rowCount).toBe(0);
    // What a resume does next: restore again, and it finishes.
    const again = await restoreIntoSchema({ tools, dumpFile: masterDump, sourceSchema: 'cm_master', target: { ...target, host: c.host, port: c.port }, password: new Secret(PW.replica), stallTimeoutMs: STALL_MS });
    expect(again.tables).toBe(10);
    await c.query('DROP SCHEMA cm_replication CASCADE', undefined, 'rls');
  }, 60_000);

  it('a server busy on one long statement is not a stall', async () => {
    // A CHECK that sleeps 3 s on its one row: no byte moves meanwhile, but the server is at work.
    await c.createRole('cm_slow', PW.slow);
    await c.createDatabase('slow', 'cm_slow');
    await c.query(
      `CREATE SCHEMA cm_slow AUTHORIZATION cm_slow;
       CREATE FUNCTION public.nap(int) RETURNS boolean LANGUAGE sql AS 'SELECT pg_sleep(3) IS NOT NULL';
       CREATE TABLE cm_slow.t (id int CHECK (public.nap(id)));
       ALTER TABLE cm_slow.t OWNER TO cm_slow;
       INSERT INTO cm_slow.t VALUES (1);`,
      undefined,
      'slow',
    );
    const db = dbOf(c.host, c.port, 'slow', 'cm_slow');
    const dump = await dumpSchema({ tools, db, password: new Secret(PW.slow), schema: 'cm_slow', file: join(dir, 'slow.dump') });
    const started = Date.now();
    const result = await restoreIntoSchema({ tools, dumpFile: dump.file, sourceSchema: 'cm_slow', target: { ...db, schema: 'slow_copy' }, password: new Secret(PW.slow), stallTimeoutMs: 1_000 });
    expect(result.tables).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(3_000);
    expect((await c.query('SELECT count(*)::int AS n FROM slow_copy.t', undefined, 'slow')).rows[0]).toEqual({ n: 1 });
  }, 30_000);

  it('a pg client with queryTimeoutMs gives up in time with a typed error, and is ended', async () => {
    proxy = await startTcpProxy({ host: c.host, port: c.port });
    const db = dbOf(proxy.host, proxy.port, 'rls', 'cm_replication');
    const client = await openClient(db, new Secret(PW.replica), { queryTimeoutMs: 1_000 });
    try {
      expect((await client.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      proxy.freeze();
      const started = Date.now();
      const error = await client.query('SELECT 1').catch((e: unknown) => e);
      expect(Date.now() - started).toBeLessThan(1_000 + 2_000);
      expect(error).toBeInstanceOf(ConnectionTimeoutError);
      expect((error as ConnectionTimeoutError).code).toBe('timeout');
      expect((error as Error).message).toContain(`127.0.0.1:${proxy.port}/rls as user "cm_replication"`);
      // The client is ended: a later query fails at once instead of queueing behind the lost one.
      const next = Date.now();
      await expect(client.query('SELECT 1')).rejects.toThrow();
      expect(Date.now() - next).toBeLessThan(500);
    } finally {
      await client.end().catch(() => undefined);
    }
  }, 15_000);
});

describe('TCP keepalives', () => {
  it('a pg client asks for them (first probe after 10 s)', async () => {
    const client = await openClient(dbOf(c.host, c.port, 'rls', 'cm_replication'), new Secret(PW.replica));
    try {
      const localPort = (client as unknown as { connection: { stream: { localPort: number } } }).connection.stream.localPort;
      const timers = keepaliveTimers(`( sport = :${localPort} )`);
      expect(timers).toHaveLength(1);
      expect(timers[0]).not.toBeNull();
      expect(timers[0]!).toBeLessThanOrEqual(10);
    } finally {
      await client.end();
    }
  });

  it("psql with conninfoFor's settings asks for them too, and libpq accepts tcp_user_timeout; a Unix socket works unchanged", async () => {
    const secret = new Secret(c.superPassword);
    const overTcp = dbOf(c.host, c.port, 'postgres', 'postgres');
    const overSocket = dbOf(dirname(c.dataDir), c.port, 'postgres', 'postgres');
    const psql = (db: DbSettings, sql: string): Promise<{ code: number | null; out: string; err: string; pid: number }> =>
      withPrivatePgpassFile(pgpassEntriesFor(db, secret), (pgpass) => {
        const child = spawn(tools.psql.path, ['-X', '-w', '-At', '-c', sql, '-d', conninfoFor(db, { application_name: 'replica-desk-keepalive-test' }, { libpqMajor: tools.psql.major })], {
          env: pgToolEnv(process.env, pgpass),
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let out = '';
        let err = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr.on('data', (d: Buffer) => (err += d.toString()));
        return new Promise((resolve) => child.on('close', (code) => resolve({ code, out, err, pid: child.pid ?? 0 })));
      });

    // Sleeps until cancelled below: under load a short sleep could end before `ss` looks at the socket.
    const sleeping = psql(overTcp, 'SELECT pg_sleep(120)');
    const backend = `SELECT pid FROM pg_stat_activity WHERE application_name = 'replica-desk-keepalive-test'`;
    await expect.poll(async () => (await c.query(backend)).rowCount, { timeout: 15_000 }).toBe(1);
    const timers = keepaliveTimers(`( dport = :${c.port} )`).filter((t) => t !== null && t <= 10);
    expect(timers.length).toBeGreaterThanOrEqual(1); // the OS default would show ~120 min
    await c.query(`SELECT pg_cancel_backend(pid) FROM (${backend}) AS b`);
    const cancelled = await sleeping;
    expect(cancelled.err).toContain('canceling statement due to user request');
    expect(cancelled.code).not.toBe(0);

    const socket = await psql(overSocket, "SELECT current_setting('port')");
    expect(socket.err).toBe('');
    expect(socket).toMatchObject({ code: 0, out: `${c.port}\n` });
    const client = await openClient(overSocket, secret);
    try {
      expect((await client.query<{ n: number }>('SELECT 1 AS n')).rows).toEqual([{ n: 1 }]);
    } finally {
      await client.end();
    }
  }, 30_000);
});
