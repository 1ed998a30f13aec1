// The restore's in-transaction check refuses WRITES outside the target schema, not only
// catalog changes. Shared-database layout: the master schema and the replica schema in
// one database, the replica role even allowed to write the master's tables. The master's
// table carries a CHECK that calls a function in another schema (public), whose body
// writes into the master's audit table: the renamer leaves `public.stamp(id)` alone (it is
// not the source schema), the catalog check sees only a dependency on a function, and
// loading the replica's copy of the table would insert into the MASTER's audit table.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbSettings } from '../../../src/main/core/postgres/connect';
import { dumpSchema } from '../../../src/main/core/postgres/dumpSchema';
import { RestoreFailedError } from '../../../src/main/core/postgres/pgToolErrors';
import { findPgTools, type PgTools } from '../../../src/main/core/postgres/pgTools';
import { restoreIntoSchema } from '../../../src/main/core/postgres/restoreIntoSchema';
import { VERIFICATION_FAILED_PREFIX, restoreEpilogue, restorePrologue } from '../../../src/main/core/postgres/restoreTarget';
import { restoreWriteCheck } from '../../../src/main/core/postgres/restoreWriteCheck';
import { Secret } from '../../../src/main/core/secrets/secret';
import { startCluster, type PgCluster } from '../../harness/postgresCluster';

const pw = (): string => randomBytes(12).toString('base64url');
const PW = { master: pw(), replica: pw() };

let c: PgCluster;
let tools: PgTools;
let dir: string;
let dumpFile: string;

const dbOf = (user: string): DbSettings => ({ host: c.host, port: c.port, database: 'shared', user, sslmode: 'disable' });

/** The master's audit table and sequence, as a stray write would change them. */
async function masterState(): Promise<unknown> {
  const audit = await c.query<{ ids: string | null; n: number }>(`SELECT string_agg(id::text, ',' ORDER BY id) AS ids, count(*)::int AS n FROM cm_master.audit`, undefined, 'shared');
  const seq = await c.query(`SELECT last_value::text, is_called FROM cm_master.audit_seq`, undefined, 'shared');
  return { audit: audit.rows[0], seq: seq.rows[0] };
}

const replicaSchemaExists = async (name = 'cm_replication'): Promise<boolean> =>
  ((await c.query(`SELECT 1 FROM pg_namespace WHERE nspname = $1`, [name], 'shared')).rowCount ?? 0) > 0;

beforeAll(async () => {
  c = await startCluster();
  tools = await findPgTools({ env: process.env });
  dir = mkdtempSync(join(tmpdir(), 'replica-desk-writecheck-'));
  await c.createRole('cm_master', PW.master);
  await c.createRole('cm_replication', PW.replica);
  await c.createDatabase('shared', 'postgres');
  await c.query(
    `CREATE SCHEMA cm_master AUTHORIZATION cm_master;
     CREATE TABLE cm_master.audit (id int);
     CREATE SEQUENCE cm_master.audit_seq;
     ALTER TABLE cm_master.audit OWNER TO cm_master;
     ALTER SEQUENCE cm_master.audit_seq OWNER TO cm_master;
     CREATE FUNCTION public.stamp(int) RETURNS boolean LANGUAGE plpgsql SECURITY DEFINER
       AS $$ BEGIN INSERT INTO cm_master.audit VALUES ($1); RETURN true; END $$;
     ALTER FUNCTION public.stamp(int) OWNER TO cm_master;
     CREATE TABLE cm_master.t (id int PRIMARY KEY CHECK (public.stamp(id)));
     ALTER TABLE cm_master.t OWNER TO cm_master;
     INSERT INTO cm_master.t SELECT generate_series(1, 3);
     GRANT CREATE ON DATABASE shared TO cm_replication;
     GRANT USAGE ON SCHEMA cm_master TO cm_replication;
     GRANT ALL ON ALL TABLES IN SCHEMA cm_master TO cm_replication;
     GRANT ALL ON ALL SEQUENCES IN SCHEMA cm_master TO cm_replication;`,
    undefined,
    'shared',
  );
  dumpFile = (await dumpSchema({ tools, db: dbOf('cm_master'), password: new Secret(PW.master), schema: 'cm_master', file: join(dir, 'master.dump') })).file;
}, 120_000);

afterAll(async () => {
  await c?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("the restore's check against writes outside the target schema", () => {
  it('rolls back a restore whose data load wrote into the master schema; the master is unchanged', async () => {
    const before = await masterState();
    expect(before).toMatchObject({ audit: { n: 3 } });
    const error = await restoreIntoSchema({
      tools,
      dumpFile,
      sourceSchema: 'cm_master',
      target: { ...dbOf('cm_replication'), schema: 'cm_replication' },
      password: new Secret(PW.replica),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RestoreFailedError);
    expect((error as Error).message).toContain(`${VERIFICATION_FAILED_PREFIX}: the restore wrote to tables outside schema cm_replication`);
    expect((error as Error).message).toContain('cm_master.audit');
    expect(await masterState()).toEqual(before);
    expect(await replicaSchemaExists()).toBe(false);
  });

  it('names each kind of write into another schema (INSERT, UPDATE, DELETE, TRUNCATE, setval) and rolls it back', async () => {
    const before = await masterState();
    const writes = [
      'INSERT INTO cm_master.audit VALUES (99)',
      'UPDATE cm_master.audit SET id = id + 100',
      'DELETE FROM cm_master.audit',
      'TRUNCATE cm_master.audit',
      `SELECT setval('cm_master.audit_seq', 1000)`,
    ];
    for (const write of writes) {
      const client = await c.connect({ database: 'shared', user: 'cm_replication', password: PW.replica });
      try {
        const script =
          restorePrologue('cm_replication', { createSchema: true, serverVersionNum: 150000 }) +
          `CREATE TABLE cm_replication.t (id int);\nINSERT INTO cm_replication.t VALUES (1);\n${write};\n` +
          restoreWriteCheck('cm_replication') +
          restoreEpilogue('cm_master', 'cm_replication');
        const error = await client.query(script).catch((e: unknown) => e);
        expect(error, write).toBeInstanceOf(Error);
        expect((error as Error).message, write).toMatch(new RegExp(`^${VERIFICATION_FAILED_PREFIX}: the restore wrote to tables outside schema cm_replication: cm_master\\.audit`));
      } finally {
        await client.end();
      }
      // A sequence's value is not transactional: a setval stays even after the rollback. The
      // check still refuses the restore, so the run stops and says which sequence it touched.
      const after = (await masterState()) as { audit: unknown };
      if (write.startsWith('SELECT setval')) expect(after.audit, write).toEqual((before as { audit: unknown }).audit);
      else expect(after, write).toEqual(before);
      expect(await replicaSchemaExists(), write).toBe(false);
    }
  });

  it('lets writes to the target schema (and its TOAST) through, and reads of other schemas', async () => {
    const client = await c.connect({ database: 'shared', user: 'cm_replication', password: PW.replica });
    try {
      await client.query(
        restorePrologue('cm_copy', { createSchema: true, serverVersionNum: 150000 }) +
          `CREATE TABLE cm_copy.t (id serial PRIMARY KEY, body text);
           INSERT INTO cm_copy.t (body) SELECT repeat('x', 100000) FROM generate_series(1, 3);
           UPDATE cm_copy.t SET body = body || 'y';
           DELETE FROM cm_copy.t WHERE id = 1;
           SELECT setval('cm_copy.t_id_seq', 50);
           SELECT count(*) FROM cm_master.audit;\n` +
          restoreWriteCheck('cm_copy') +
          restoreEpilogue('cm_master', 'cm_copy'),
      );
    } finally {
      await client.end();
    }
    expect(await replicaSchemaExists('cm_copy')).toBe(true);
    await c.query('DROP SCHEMA cm_copy CASCADE', undefined, 'shared');
  });
});
