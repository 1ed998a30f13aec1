// The simulated CoreMedia databases that the restore tests build on: checked against the
// catalog of a real cluster, not against the generator's own bookkeeping.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qualified } from '../../../src/main/core/postgres/catalog';
import { createContentServer, type ContentServerDatabase } from '../../harness/coremedia/contentServerDatabase';
import { startCluster, type PgCluster } from '../../harness/postgresCluster';

let cluster: PgCluster;

beforeAll(async () => {
  cluster = await startCluster();
});

afterAll(async () => {
  await cluster?.stop();
});

async function countsInCatalog(db: ContentServerDatabase): Promise<Record<string, number>> {
  const tables = await cluster.query<{ relname: string }>(
    `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'r'`,
    [db.schema],
    db.database,
  );
  const counts: Record<string, number> = {};
  for (const { relname } of tables.rows) {
    const r = await cluster.query<{ n: string }>(`SELECT count(*) AS n FROM ${qualified(db.schema, relname)}`, undefined, db.database);
    counts[relname] = Number(r.rows[0]?.n);
  }
  return counts;
}

async function owners(db: ContentServerDatabase): Promise<Set<string>> {
  const r = await cluster.query<{ owner: string }>(
    `SELECT pg_get_userbyid(nspowner) AS owner FROM pg_namespace WHERE nspname = $1
     UNION SELECT pg_get_userbyid(c.relowner) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1`,
    [db.schema],
    db.database,
  );
  return new Set(r.rows.map((row) => row.owner));
}

async function systemRows(db: ContentServerDatabase): Promise<Record<string, string>> {
  const r = await cluster.query<{ property: string; content: string }>(
    `SELECT property, content FROM ${qualified(db.schema, db.tableNames.system ?? 'system')}`,
    undefined,
    db.database,
  );
  return Object.fromEntries(r.rows.map((row) => [row.property, row.content]));
}

async function schemaBytes(db: ContentServerDatabase): Promise<number> {
  const r = await cluster.query<{ bytes: string }>(
    `SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) AS bytes
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'r'`,
    [db.schema],
    db.database,
  );
  return Number(r.rows[0]?.bytes);
}

describe('database per server', () => {
  it('makes a tiny master whose role owns its schema, with 64-bit sequence numbers', async () => {
    const db = await createContentServer(cluster, {
      layout: 'database-per-server',
      database: 'mls',
      role: 'cm_master',
      password: 'master-pw',
      serverType: 'publication',
      changelogEntries: 40,
      largeSequenceNumbers: true,
      withReplicatorRows: true,
    });
    expect(db).toMatchObject({ database: 'mls', schema: 'cm_master', role: 'cm_master' });
    expect(await owners(db)).toEqual(new Set(['cm_master']));
    const dbOwner = await cluster.query<{ owner: string }>(`SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = 'mls'`);
    expect(dbOwner.rows[0]?.owner).toBe('cm_master');

    expect(db.tableRowCounts).toEqual(await countsInCatalog(db));
    expect(db.tableRowCounts).toMatchObject({ changelog: 40, cmlicenses: 3, groups: 3 });
    for (const table of ['resources', 'article', 'picture', 'blobdata', 'users', 'groupmembers']) expect(db.tableRowCounts[table]).toBeGreaterThan(0);

    // 2^53 + 1 + 39: a JavaScript number cannot hold it, so it must travel as a string.
    expect(db.changelogHead.sequenceNo).toBe((2n ** 53n + 1n + 39n).toString());
    const head = await cluster.query<{ seq: string; idtag: string; code: number }>(
      `SELECT sequenceno::text AS seq, idtag, code FROM cm_master.changelog ORDER BY sequenceno DESC LIMIT 1`,
      undefined,
      'mls',
    );
    expect(head.rows[0]).toEqual({ seq: db.changelogHead.sequenceNo, idtag: db.changelogHead.idTag, code: expect.any(Number) });
    expect(head.rows[0]?.code).not.toBe(15);
    expect(db.lastNonLocalEvent).toEqual(db.changelogHead);

    const system = await systemRows(db);
    expect(system.repository_server_type).toBe('publication');
    expect(system.replicator_remote).toBe(system.replicator_local);
    expect(BigInt(system.replicator_remote ?? '0')).toBeLessThan(BigInt(db.changelogHead.sequenceNo));
    expect(system.replicator_tag).toMatch(/^[0-9a-f]{24}$/);
    expect(await schemaBytes(db)).toBeLessThan(2 * 1024 * 1024);
  });

  it('makes a database of about the requested size', async () => {
    const db = await createContentServer(cluster, {
      layout: 'database-per-server',
      database: 'sized',
      role: 'cm_sized',
      password: 'sized-pw',
      serverType: 'publication',
      sizeMb: 20,
    });
    const bytes = await schemaBytes(db);
    expect(bytes).toBeGreaterThan(18 * 1024 * 1024);
    expect(bytes).toBeLessThan(30 * 1024 * 1024);
    expect(db.tableRowCounts.blobdata).toBe(80);
    expect(db.tableRowCounts).toEqual(await countsInCatalog(db));
  });
});

describe('shared database', () => {
  it('puts a master and a mixed-case replica side by side in one database', async () => {
    const master = await createContentServer(cluster, {
      layout: 'shared-database',
      database: 'coremedia',
      role: 'cm_shared_master',
      password: 'shared-master-pw',
      serverType: 'publication',
    });
    const replica = await createContentServer(cluster, {
      layout: 'shared-database',
      database: 'coremedia',
      role: 'cm_replication',
      password: 'replication-pw',
      serverType: 'live',
      mixedCaseTables: true,
      localEventAtHead: true,
      changelogEntries: 25,
    });
    expect(master.database).toBe('coremedia');
    expect(replica.database).toBe('coremedia');
    expect(await owners(master)).toEqual(new Set(['cm_shared_master']));
    expect(await owners(replica)).toEqual(new Set(['cm_replication']));

    const tables = await cluster.query<{ relname: string }>(
      `SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'cm_replication' AND relkind = 'r' AND relname <> lower(relname) ORDER BY relname`,
      undefined,
      'coremedia',
    );
    expect(tables.rows.map((r) => r.relname)).toEqual(['ChangeLog', 'CmLicenses', 'System']);
    expect(replica.tableNames).toMatchObject({ system: 'System', changelog: 'ChangeLog', cmlicenses: 'CmLicenses' });
    expect(replica.tableRowCounts).toEqual(await countsInCatalog(replica));
    expect(replica.tableRowCounts).toMatchObject({ ChangeLog: 25, CmLicenses: 3 });

    expect((await systemRows(master)).repository_server_type).toBe('publication');
    expect((await systemRows(replica)).repository_server_type).toBe('live');

    // The newest event is local (code 15); the last non-local one is older.
    const codes = await cluster.query<{ seq: string; code: number }>(
      `SELECT sequenceno::text AS seq, code FROM cm_replication."ChangeLog" WHERE sequenceno::text IN ($1, $2)`,
      [replica.changelogHead.sequenceNo, replica.lastNonLocalEvent.sequenceNo],
      'coremedia',
    );
    const codeOf = Object.fromEntries(codes.rows.map((r) => [r.seq, r.code]));
    expect(replica.changelogHead.sequenceNo).toBe('25');
    expect(codeOf['25']).toBe(15);
    expect(BigInt(replica.lastNonLocalEvent.sequenceNo)).toBeLessThan(25n);
    expect(codeOf[replica.lastNonLocalEvent.sequenceNo]).not.toBe(15);
  });
});
