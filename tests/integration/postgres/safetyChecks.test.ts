// The checks that stand between a restore and the master's data, on two real PostgreSQL
// 15 clusters: which cluster a connection reached (whatever name it used), who else is
// connected, a drop that re-checks its target, and exact row counts.
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { countTables, readClusterIdentity, sameSchema, schemaSizeBytes } from '../../../src/main/core/postgres/clusterIdentity';
import { schemaExists } from '../../../src/main/core/postgres/catalog';
import { SchemaInUseError, WrongTargetError, dropSchema } from '../../../src/main/core/postgres/dropSchema';
import { otherSessions } from '../../../src/main/core/postgres/sessions';
import { compareCounts, countRows } from '../../../src/main/core/postgres/tableCounts';
import { createContentServer, type ContentServerDatabase } from '../../harness/coremedia/contentServerDatabase';
import { startCluster, type PgCluster } from '../../harness/postgresCluster';

const DB = 'coremedia';
let a: PgCluster;
let b: PgCluster;
let mixed: ContentServerDatabase;
const open: pg.Client[] = [];

const serverOn = (cluster: PgCluster, role: string, options: { mixedCaseTables?: boolean } = {}) =>
  createContentServer(cluster, { layout: 'shared-database', database: DB, role, password: `pw-${role}`, serverType: 'live', ...options });

beforeAll(async () => {
  [a, b] = await Promise.all([startCluster(), startCluster()]);
  await serverOn(a, 'cm_master');
  await serverOn(a, 'cm_replication');
  mixed = await serverOn(a, 'cm_mixed', { mixedCaseTables: true });
  await serverOn(a, 'cm_drop');
  await serverOn(b, 'cm_drop');
  await a.createRole('checker', 'pw-checker');
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.end()));
});

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
});

/** Connects as `user` (password pw-<user>) through any host: an address, a name or a socket directory. */
async function connect(cluster: PgCluster, user: string, options: { host?: string; database?: string; applicationName?: string } = {}): Promise<pg.Client> {
  const client = new pg.Client({
    host: options.host ?? '127.0.0.1',
    port: cluster.port,
    database: options.database ?? DB,
    user,
    password: `pw-${user}`,
    application_name: options.applicationName ?? 'safety-checks-test',
  });
  client.on('error', () => undefined);
  await client.connect();
  open.push(client);
  return client;
}

describe('readClusterIdentity and sameSchema', () => {
  it('reads the identity as a role with no privileges beyond LOGIN', async () => {
    const client = await connect(a, 'checker');
    const identity = await readClusterIdentity(client);

    // The truth from the control file itself, not through SQL.
    const control = execFileSync('runuser', ['-u', 'postgres', '--', join(a.binDir, 'pg_controldata'), '-D', a.dataDir], { encoding: 'utf8' });
    const systemIdentifier = /Database system identifier:\s+(\d+)/.exec(control)?.[1];
    expect(identity).toEqual({ systemIdentifier, database: DB, serverVersionNum: expect.any(Number), serverMajor: 15 });
    expect(identity.serverVersionNum).toBeGreaterThanOrEqual(150_000);
    expect(identity.serverVersionNum).toBeLessThan(160_000);
    const roles = await a.query<{ rolsuper: boolean }>(`SELECT rolsuper FROM pg_roles WHERE rolname = 'checker'`);
    expect(roles.rows[0]?.rolsuper).toBe(false);
  });

  it('knows one schema reached through 127.0.0.1, localhost and the Unix socket, and tells other places apart', async () => {
    const socketDir = dirname(a.dataDir);
    const routes = await Promise.all(['127.0.0.1', 'localhost', socketDir].map((host) => connect(a, 'checker', { host })));
    const ids = await Promise.all(routes.map(readClusterIdentity));
    const [viaIp, viaName, viaSocket] = ids.map((id) => ({ ...id, schema: 'cm_replication' }));
    expect(sameSchema(viaIp!, viaName!)).toBe(true);
    expect(sameSchema(viaIp!, viaSocket!)).toBe(true);

    expect(sameSchema(viaIp!, { ...viaName!, schema: 'cm_master' })).toBe(false);
    const otherDatabase = await readClusterIdentity(await connect(a, 'checker', { database: 'postgres' }));
    expect(sameSchema(viaIp!, { ...otherDatabase, schema: 'cm_replication' })).toBe(false);
    const otherCluster = await readClusterIdentity(await connect(b, 'cm_drop'));
    expect(otherCluster.database).toBe(DB);
    expect(sameSchema({ ...viaIp!, schema: 'cm_drop' }, { ...otherCluster, schema: 'cm_drop' })).toBe(false);
  });
});

describe('otherSessions', () => {
  it("lists the replica user's other sessions, never the checker's own, and says what another user cannot see", async () => {
    const own = await connect(a, 'cm_replication', { applicationName: 'replica-desk-check' });
    expect(await otherSessions(own, { database: DB, user: 'cm_replication' })).toEqual([]);

    const server = await connect(a, 'cm_replication', { applicationName: 'cms-stand-in' });
    const serverPid = (await server.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid;

    const seen = await otherSessions(own, { database: DB, user: 'cm_replication' });
    expect(seen).toEqual([
      { pid: serverPid, applicationName: 'cms-stand-in', clientAddr: '127.0.0.1', backendStart: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), state: 'idle', detailsHidden: false },
    ]);
    // Another database or user of the same cluster does not count.
    expect(await otherSessions(own, { database: 'postgres', user: 'cm_replication' })).toEqual([]);
    expect(await otherSessions(own, { database: DB, user: 'cm_master' })).toEqual([]);

    // A different, unprivileged user still finds the session, without its details.
    const stranger = await connect(a, 'checker');
    expect(await otherSessions(stranger, { database: DB, user: 'cm_replication' })).toEqual(
      expect.arrayContaining([{ pid: serverPid, applicationName: 'cms-stand-in', clientAddr: null, backendStart: null, state: null, detailsHidden: true }]),
    );
  });
});

describe('dropSchema', () => {
  it('refuses a connection that reached another cluster or database than the one checked', async () => {
    const expected = await readClusterIdentity(await connect(a, 'cm_drop'));
    const onB = await connect(b, 'cm_drop');
    const error = await dropSchema(onB, 'cm_drop', { expect: expected }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WrongTargetError);
    expect(error).toMatchObject({ code: 'wrong-target' });
    expect((error as Error).message).toContain(expected.systemIdentifier);
    expect(await schemaExists(onB, 'cm_drop')).toBe(true);

    const otherDatabase = await connect(a, 'checker', { database: 'postgres' });
    await expect(dropSchema(otherDatabase, 'cm_drop', { expect: expected })).rejects.toBeInstanceOf(WrongTargetError);
    expect(await countTables(await connect(a, 'cm_drop'), 'cm_drop')).toBe(10);
  });

  it('gives up on a schema whose tables another session holds, within the lock timeout', async () => {
    const client = await connect(a, 'cm_drop');
    const holder = await connect(a, 'cm_drop');
    await holder.query('BEGIN');
    await holder.query('SELECT count(*) FROM cm_drop.users');
    const error = await dropSchema(client, 'cm_drop', { expect: await readClusterIdentity(client), lockTimeoutMs: 300 }).catch((e: unknown) => e);
    await holder.query('ROLLBACK');
    expect(error).toBeInstanceOf(SchemaInUseError);
    expect(error).toMatchObject({ code: 'schema-in-use' });
    expect(await countTables(client, 'cm_drop')).toBe(10);
  });

  it('drops the schema it was aimed at, and only that one', async () => {
    const client = await connect(a, 'cm_drop');
    const identity = await readClusterIdentity(client);
    expect(await dropSchema(client, 'cm_drop', { expect: identity })).toBe(true);
    expect(await schemaExists(client, 'cm_drop')).toBe(false);
    expect(await dropSchema(client, 'cm_drop', { expect: identity })).toBe(false);
    expect(await countTables(client, 'cm_master')).toBe(10);
    expect(await countTables(client, 'cm_replication')).toBe(10);
  });
});

describe('schema size and row counts', () => {
  it('measures a schema and counts tables', async () => {
    const client = await connect(a, 'checker');
    const bytes = await schemaSizeBytes(client, 'cm_master');
    // Ten blobs of 1 KiB plus the rest, with indexes: more than the blobs, far less than a MiB.
    expect(bytes).toBeGreaterThan(10 * 1024);
    expect(bytes).toBeLessThan(2 * 1024 * 1024);
    expect(await schemaSizeBytes(client, 'no_such_schema')).toBe(0);
    expect(await countTables(client, 'cm_master')).toBe(10);
    expect(await countTables(client, 'no_such_schema')).toBe(0);
  });

  it('counts every row of every table, mixed-case names included, and compares counts', async () => {
    const client = await connect(a, 'cm_mixed');
    const progress: string[] = [];
    const counts = await countRows(client, 'cm_mixed', { onProgress: (p) => progress.push(`${p.done}/${p.total} ${p.table}`) });
    expect(counts).toEqual(Object.fromEntries(Object.entries(mixed.tableRowCounts).map(([t, n]) => [t, String(n)])));
    expect(Object.keys(counts)).toContain('ChangeLog');
    expect(progress).toHaveLength(10);
    expect(progress[9]).toMatch(/^10\/10 /);

    expect(compareCounts(counts, { ...counts })).toEqual({ matches: true, mismatches: [] });
    const { ChangeLog: _dropped, ...withoutChangeLog } = counts;
    expect(compareCounts(counts, { ...withoutChangeLog, users: '4', extra: '1' })).toEqual({
      matches: false,
      mismatches: [
        { table: 'ChangeLog', master: counts.ChangeLog, replica: null },
        { table: 'extra', master: null, replica: '1' },
        { table: 'users', master: counts.users, replica: '4' },
      ],
    });

    const aborted = new AbortController();
    aborted.abort();
    await expect(countRows(client, 'cm_mixed', { signal: aborted.signal })).rejects.toThrow(/abort/i);
  });
});
