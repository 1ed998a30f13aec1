// One cluster with a master, and replicas "restored" from it: a restored dump is the
// master's data under the replica's own role and schema, so each replica is a content
// server created with serverType 'publication'. What the code under test wrote is read
// back with plain SQL as the superuser, not through the readers being tested.
import type pg from 'pg';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { qualified } from '../../../src/main/core/postgres/catalog';
import { createContentServer, type ContentServerDatabase, type ContentServerOptions } from '../../harness/coremedia/contentServerDatabase';
import { startCluster, type PgCluster } from '../../harness/postgresCluster';

export const DB = 'coremedia';

export interface ReplicaFixture {
  cluster: PgCluster;
  master: ContentServerDatabase;
  masterClient: pg.Client;
  /** A client for `role` (password pw-<role>), ended after the test. */
  connectAs(role: string): Promise<pg.Client>;
  restoredReplica(role: string, options?: Partial<ContentServerOptions>): Promise<{ db: ContentServerDatabase; client: pg.Client }>;
  /** (property, content) of every system row, sorted. */
  systemRows(db: ContentServerDatabase, columns?: { property: string; content: string }): Promise<[string, string][]>;
  replicatorRows(db: ContentServerDatabase, columns?: { property: string; content: string }): Promise<[string, string][]>;
  licenseCount(db: ContentServerDatabase): Promise<number>;
}

/** Registers the hooks; the returned object is usable inside tests. */
export function useReplicaFixture(): ReplicaFixture {
  const open: pg.Client[] = [];
  const f = {} as ReplicaFixture;

  f.connectAs = async (role) => {
    const client = await f.cluster.connect({ database: DB, user: role, password: `pw-${role}` });
    open.push(client);
    return client;
  };
  f.restoredReplica = async (role, options = {}) => {
    const db = await createContentServer(f.cluster, {
      layout: 'shared-database', database: DB, role, password: `pw-${role}`, serverType: 'publication', ...options,
    });
    return { db, client: await f.connectAs(role) };
  };
  f.systemRows = async (db, columns = { property: 'property', content: 'content' }) => {
    const r = await f.cluster.query<{ p: string; c: string }>(
      `SELECT "${columns.property}" AS p, "${columns.content}" AS c FROM ${qualified(db.schema, db.tableNames.system ?? 'system')} ORDER BY 1, 2`,
      undefined,
      DB,
    );
    return r.rows.map((row) => [row.p, row.c]);
  };
  f.replicatorRows = async (db, columns) => (await f.systemRows(db, columns)).filter(([p]) => p.startsWith('replicator_'));
  f.licenseCount = async (db) => {
    const r = await f.cluster.query<{ n: string }>(`SELECT count(*) AS n FROM ${qualified(db.schema, db.tableNames.cmlicenses ?? 'cmlicenses')}`, undefined, DB);
    return Number(r.rows[0]?.n);
  };

  beforeAll(async () => {
    f.cluster = await startCluster();
    f.master = await createContentServer(f.cluster, { layout: 'shared-database', database: DB, role: 'cm_master', password: 'pw-cm_master', serverType: 'publication' });
    f.masterClient = await f.cluster.connect({ database: DB, user: 'cm_master', password: 'pw-cm_master' });
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((c) => c.end()));
  });
  afterAll(async () => {
    await f.masterClient?.end();
    await f.cluster?.stop();
  });
  return f;
}

export const expectedReplicator = (head: { sequenceNo: string; idTag: string }): [string, string][] => [
  ['replicator_local', head.sequenceNo],
  ['replicator_remote', head.sequenceNo],
  ['replicator_tag', head.idTag],
];
