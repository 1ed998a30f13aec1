// The swap of a side-by-side restore against a real PostgreSQL cluster with generated
// CoreMedia data, in both layouts (a database per server; one shared database with the
// master's live schema beside the replica's) and with a 63-byte schema name. The live
// replica schema is dressed as an admin would leave it: a reader role with USAGE and
// SELECT, default privileges for new tables, a comment, the role's search_path naming the
// schema, a sequence owned by a column, a view. The master's dump is restored into the
// shadow schema exactly as the side-by-side restore does (pg_restore --no-owner
// --no-privileges through the renamer, as the replica's role), the fix-ups applied, then
// swapped in and swapped back; after each, everything must serve from the right schema.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyReplicaFixups } from '../../../src/main/core/coremedia/replicaFixups';
import { discardKeptSchema, listKeptSchemas } from '../../../src/main/core/coremedia/keptSchemas';
import { swapBackReplica, swapInReplicaShadow } from '../../../src/main/core/coremedia/replicaSwap';
import { quoteIdent, qualified } from '../../../src/main/core/postgres/catalog';
import { readClusterIdentity } from '../../../src/main/core/postgres/clusterIdentity';
import type { DbSettings } from '../../../src/main/core/postgres/connect';
import { dumpSchema } from '../../../src/main/core/postgres/dumpSchema';
import { findPgTools, type PgTools } from '../../../src/main/core/postgres/pgTools';
import { restoreIntoSchema } from '../../../src/main/core/postgres/restoreIntoSchema';
import { readSwapState, swapRenameSql } from '../../../src/main/core/postgres/schemaSwap';
import {
  KeptSchemaIsMasterError,
  NotAKeptSchemaError,
  SwapExternalDependentsError,
  SwapInterruptedError,
  SwapNameTakenError,
  SwapOwnerMismatchError,
  SwapSchemaInUseError,
  SwapServerTypeError,
  SwapSourceMissingError,
} from '../../../src/main/core/postgres/schemaSwapErrors';
import { keptSchemaName, shadowSchemaName } from '../../../src/main/core/postgres/swapNames';
import { Secret } from '../../../src/main/core/secrets/secret';
import { createContentServer } from '../../harness/coremedia/contentServerDatabase';
import { startCluster, type PgCluster } from '../../harness/postgresCluster';
import { schemaFingerprint } from '../../harness/restoreEnvironment';

const pw = (): string => randomBytes(12).toString('base64url');
const READER = 'cm_reader';
const READER_PW = pw();
const AUDITOR = 'cm_auditor';
const AUDITOR_PW = pw();
const RUN = '20261202-015500-a1b2c3';
const LONG_ROLE = `cm_replication_${'x'.repeat(48)}`; // 63 bytes

interface Server {
  database: string;
  role: string;
  password: string;
}

interface Setup {
  title: string;
  master: Server;
  replica: Server;
}

let c: PgCluster;
let tools: PgTools;
let dir: string;
const dumps = new Map<string, string>();
const masters = { shared: { database: 'coremedia', role: 'cm_master', password: pw() }, own: { database: 'mls', role: 'cm_mls', password: pw() } };

const SETUPS: Setup[] = [
  { title: 'shared database, master beside the replica', master: masters.shared, replica: { database: 'coremedia', role: 'cm_replication', password: pw() } },
  { title: 'database per server', master: masters.own, replica: { database: 'rls', role: 'cm_rls', password: pw() } },
  { title: 'database per server, 63-byte schema name', master: masters.own, replica: { database: 'rlslong', role: LONG_ROLE, password: pw() } },
];
const FAULTS: Setup = { title: 'faults', master: masters.own, replica: { database: 'rlsfault', role: 'cm_rlsfault', password: pw() } };

const dbOf = (s: Server): DbSettings => ({ host: c.host, port: c.port, database: s.database, user: s.role, sslmode: 'disable' });
const connectAs = (s: Server): Promise<pg.Client> => c.connect({ database: s.database, user: s.role, password: s.password });

async function withClient<T>(connect: Promise<pg.Client>, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = await connect;
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** What a content server's schema has beyond the harness's tables: a column-owned sequence and a view. */
async function addSequenceOwnerAndView(s: Server): Promise<void> {
  const q = (t: string): string => qualified(s.role, t);
  await withClient(connectAs(s), (client) =>
    client.query(`
      ALTER SEQUENCE ${q('resource_id_seq')} OWNED BY ${q('resources')}.id;
      CREATE VIEW ${q('article_titles')} AS
        SELECT a.id, a.title, (SELECT content FROM ${q('system')} WHERE property = 'repository_id') AS repository FROM ${q('article')} a;`),
  );
}

/** What an admin set up around the live replica schema, all of it bound to it by OID or by name. */
async function dressLiveReplica(s: Server): Promise<void> {
  const schema = quoteIdent(s.role);
  await withClient(connectAs(s), (client) =>
    client.query(`
      GRANT USAGE ON SCHEMA ${schema} TO ${READER};
      GRANT SELECT ON ALL TABLES IN SCHEMA ${schema} TO ${READER};
      ALTER DEFAULT PRIVILEGES IN SCHEMA ${schema} GRANT SELECT ON TABLES TO ${READER};
      COMMENT ON SCHEMA ${schema} IS 'replica of the master, restored by Replica Desk';`),
  );
  await c.query(`ALTER ROLE ${schema} SET search_path = ${schema}`);
}

async function masterDump(master: Server): Promise<string> {
  let file = dumps.get(master.role);
  if (!file) {
    file = join(dir, `${master.role}.dump`);
    await dumpSchema({ tools, db: dbOf(master), password: new Secret(master.password), schema: master.role, file });
    dumps.set(master.role, file);
  }
  return file;
}

/** What the side-by-side restore leaves before the swap: the master's dump in the shadow schema, fixed up. */
async function restoreShadow(setup: Setup, into = shadowSchemaName(setup.replica.role), fixups = true): Promise<void> {
  await restoreIntoSchema({
    tools,
    dumpFile: await masterDump(setup.master),
    sourceSchema: setup.master.role,
    target: { ...dbOf(setup.replica), schema: into },
    password: new Secret(setup.replica.password),
  });
  if (fixups) await withClient(connectAs(setup.replica), (client) => applyReplicaFixups(client, into));
}

async function prepare(setup: Setup): Promise<void> {
  await createContentServer(c, { layout: setup.master.database === setup.replica.database ? 'shared-database' : 'database-per-server', ...setup.replica, serverType: 'live' });
  // In the shared database the replica's role may create (and so rename) schemas: what the preflight requires.
  if (setup.master.database === setup.replica.database) await c.query(`GRANT CREATE ON DATABASE ${quoteIdent(setup.replica.database)} TO ${quoteIdent(setup.replica.role)}`);
  await addSequenceOwnerAndView(setup.replica);
  await dressLiveReplica(setup.replica);
  await restoreShadow(setup);
}

const swapOptions = async (s: Server, extra: { lockTimeoutMs?: number } = {}) => ({
  schema: s.role,
  tag: RUN,
  expect: await withClient(connectAs(s), readClusterIdentity),
  ...extra,
});

async function schemaOids(s: Server): Promise<Record<string, string>> {
  const { rows } = await c.query<{ nspname: string; oid: string }>(`SELECT nspname, oid::text FROM pg_namespace WHERE nspname LIKE $1 ORDER BY 1`, [`${s.role.slice(0, 20)}%`], s.database);
  return Object.fromEntries(rows.map((r) => [r.nspname, r.oid]));
}

/** The master's data and definitions, plus the xmin of its schema's and relations' catalog rows: any write to them shows. */
async function masterFingerprint(m: Server): Promise<string> {
  const { rows } = await c.query<{ catalog: string }>(
    `SELECT n.xmin::text || coalesce(n.nspacl::text, '') || ':' ||
            (SELECT string_agg(c.relname || '@' || c.xmin::text || coalesce(c.relacl::text, ''), ',' ORDER BY c.relname) FROM pg_class c WHERE c.relnamespace = n.oid) AS catalog
       FROM pg_namespace n WHERE n.nspname = $1`,
    [m.role],
    m.database,
  );
  return `${await schemaFingerprint(c, m.database, m.role)}#${rows[0]?.catalog}`;
}

/** Everything the content server and the reader rely on, checked against the schema now named `schema`. */
async function expectServing(setup: Setup, repositoryId: string, setAside: string): Promise<void> {
  const s = setup.replica;
  const schema = s.role;
  const q = (t: string): string => qualified(schema, t);
  await withClient(connectAs(s), async (client) => {
    // The role's search_path names the schema: unqualified names reach the swapped-in schema.
    const unqualified = await client.query<{ s: string; id: string; viewed: string }>(
      `SELECT current_schema() AS s, (SELECT content FROM system WHERE property = 'repository_id') AS id,
              (SELECT DISTINCT repository FROM article_titles) AS viewed`,
    );
    expect(unqualified.rows[0]).toEqual({ s: schema, id: repositoryId, viewed: repositoryId });
    // Ownership: the schema and every object in it belong to the replica's role.
    const owners = await client.query<{ owner: string }>(
      `SELECT DISTINCT pg_get_userbyid(relowner) AS owner FROM pg_class WHERE relnamespace = $1::regnamespace
       UNION SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = $2`,
      [quoteIdent(schema), schema],
    );
    expect(owners.rows).toEqual([{ owner: schema }]);
    // The view reads tables of the schema under the name, not of the one set aside.
    const viewDeps = await client.query<{ nspname: string }>(
      `SELECT DISTINCT n.nspname FROM pg_depend d JOIN pg_rewrite w ON w.oid = d.objid
         JOIN pg_class t ON t.oid = d.refobjid JOIN pg_namespace n ON n.oid = t.relnamespace
        WHERE d.classid = 'pg_rewrite'::regclass AND d.refclassid = 'pg_class'::regclass AND w.ev_class = $1::regclass AND d.refobjid <> w.ev_class`,
      [q('article_titles')],
    );
    expect(viewDeps.rows).toEqual([{ nspname: schema }]);
    // The column default continues the sequence of this schema, owned by its column; the set-aside one stays put.
    const seqBefore = await client.query<{ aside: string; max: string; serial: string }>(
      `SELECT (SELECT last_value::text FROM ${qualified(setAside, 'resource_id_seq')}) AS aside, (SELECT max(id)::text FROM ${q('resources')}) AS max,
              pg_get_serial_sequence($1, 'id') AS serial`,
      [q('resources')],
    );
    expect(seqBefore.rows[0]?.serial).toBe(q('resource_id_seq').replace(/"([a-z_0-9]+)"/g, '$1'));
    const inserted = await client.query<{ id: string }>(`INSERT INTO resources (name) VALUES ('made after the swap') RETURNING id::text`);
    expect(BigInt(inserted.rows[0]?.id ?? '0')).toBe(BigInt(seqBefore.rows[0]?.max ?? '-1') + 1n);
    const aside = await client.query<{ v: string }>(`SELECT last_value::text AS v FROM ${qualified(setAside, 'resource_id_seq')}`);
    expect(aside.rows[0]?.v).toBe(seqBefore.rows[0]?.aside);
    // Default privileges of the schema: a table its owner creates now is readable by the reader.
    const fresh = `made_${randomBytes(3).toString('hex')}`;
    await client.query(`CREATE TABLE ${q(fresh)} (x int); INSERT INTO ${q(fresh)} VALUES (1)`);
    const comment = await client.query<{ c: string | null }>(`SELECT obj_description($1::regnamespace, 'pg_namespace') AS c`, [quoteIdent(schema)]);
    expect(comment.rows[0]?.c).toBe('replica of the master, restored by Replica Desk');
    // The reader: USAGE on the schema, SELECT on its tables and view, and on the new table.
    await withClient(c.connect({ database: s.database, user: READER, password: READER_PW }), async (reader) => {
      const read = await reader.query<{ n: string; v: string; f: string }>(
        `SELECT (SELECT count(*)::text FROM ${q('resources')}) AS n, (SELECT DISTINCT repository FROM ${q('article_titles')}) AS v, (SELECT count(*)::text FROM ${q(fresh)}) AS f`,
      );
      expect(read.rows[0]).toMatchObject({ v: repositoryId, f: '1' });
      const counted = await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${q('resources')}`);
      expect(read.rows[0]?.n).toBe(counted.rows[0]?.n);
    });
  });
}

beforeAll(async () => {
  c = await startCluster();
  dir = mkdtempSync(join(tmpdir(), 'replica-desk-swap-'));
  tools = await findPgTools({ env: process.env });
  await c.createRole(READER, READER_PW);
  await c.createRole(AUDITOR, AUDITOR_PW);
  await createContentServer(c, { layout: 'shared-database', ...masters.shared, serverType: 'publication' });
  await createContentServer(c, { layout: 'database-per-server', ...masters.own, serverType: 'publication' });
  for (const m of Object.values(masters)) await addSequenceOwnerAndView(m);
  for (const setup of [...SETUPS, FAULTS]) await prepare(setup);
}, 180_000);

afterAll(async () => {
  await c?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.each(SETUPS)('swap and swap back: $title', (setup) => {
  const s = setup.replica;
  const prev = keptSchemaName(s.role, 'prev', RUN);
  const undone = keptSchemaName(s.role, 'undone', RUN);

  it('names every schema within 63 bytes', async () => {
    for (const name of [shadowSchemaName(s.role), prev, undone]) expect(Buffer.byteLength(name)).toBeLessThanOrEqual(63);
    expect(await withClient(connectAs(s), (client) => readSwapState(client, s.role, RUN))).toEqual({ live: true, shadow: true, prev: false, undone: false });
  });

  it('swaps the restored schema in: the server, the reader and new tables use it; the previous one is kept; the master is untouched', async () => {
    const masterBefore = await masterFingerprint(setup.master);
    const oids = await schemaOids(s);
    const result = await withClient(connectAs(s), async (client) => swapInReplicaShadow(client, await swapOptions(s)));
    expect(result).toMatchObject({ schema: s.role, swappedIn: shadowSchemaName(s.role), setAside: prev, alreadyDone: false });
    expect(result.carriedOver.warnings).toEqual([]);
    expect(result.carriedOver.statements.join('\n')).toContain('ALTER DEFAULT PRIVILEGES');
    const after = await schemaOids(s);
    expect(after[s.role]).toBe(oids[shadowSchemaName(s.role)]);
    expect(after[prev]).toBe(oids[s.role]);
    await expectServing(setup, `sim-${setup.master.role}`, prev);
    expect(await masterFingerprint(setup.master)).toBe(masterBefore);
    // Called again (a resume after a commit whose answer was lost), it changes nothing.
    const again = await withClient(connectAs(s), async (client) => swapInReplicaShadow(client, await swapOptions(s)));
    expect(again.alreadyDone).toBe(true);
    expect(await schemaOids(s)).toEqual(after);
  });

  it('swaps back: the previous schema serves again with everything it had; the restored one is kept aside', async () => {
    const masterBefore = await masterFingerprint(setup.master);
    // Granted while the restored schema served: it belongs to the name, so it follows it back.
    await withClient(connectAs(s), (client) => client.query(`GRANT USAGE ON SCHEMA ${quoteIdent(s.role)} TO ${AUDITOR}; GRANT SELECT ON ${qualified(s.role, 'users')} TO ${AUDITOR}`));
    const result = await withClient(connectAs(s), async (client) => swapBackReplica(client, await swapOptions(s)));
    expect(result).toMatchObject({ schema: s.role, swappedIn: prev, setAside: undone, alreadyDone: false });
    expect(await withClient(connectAs(s), (client) => readSwapState(client, s.role, RUN))).toEqual({ live: true, shadow: false, prev: false, undone: true });
    await expectServing(setup, `sim-${s.role}`, undone);
    const audited = await withClient(c.connect({ database: s.database, user: AUDITOR, password: AUDITOR_PW }), (auditor) =>
      auditor.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${qualified(s.role, 'users')}`),
    );
    expect(Number(audited.rows[0]?.n)).toBeGreaterThan(0);
    expect(await masterFingerprint(setup.master)).toBe(masterBefore);
  });

  it('lists the kept schema with its size and discards it; nothing else is dropped', async () => {
    const kept = await withClient(connectAs(s), (client) => listKeptSchemas(client, s.role));
    expect(kept.map((k) => ({ name: k.name, kind: k.kind, tag: k.tag }))).toEqual([{ name: undone, kind: 'undone', tag: RUN }]);
    expect(kept[0]?.bytes).toBeGreaterThan(0);
    const masterBefore = await masterFingerprint(setup.master);
    const dropped = await withClient(connectAs(s), async (client) => discardKeptSchema(client, s.role, undone, { expect: (await swapOptions(s)).expect }));
    expect(dropped).toBe(true);
    expect(await withClient(connectAs(s), (client) => readSwapState(client, s.role, RUN))).toEqual({ live: true, shadow: false, prev: false, undone: false });
    expect(await withClient(connectAs(s), (client) => listKeptSchemas(client, s.role))).toEqual([]);
    expect(await masterFingerprint(setup.master)).toBe(masterBefore);
  });
});

describe('refusals and a kill mid-swap leave the state as it was', () => {
  const s = FAULTS.replica;
  const shadow = shadowSchemaName(s.role);
  const prev = keptSchemaName(s.role, 'prev', RUN);
  const untouched = { live: true, shadow: true, prev: false, undone: false };
  const state = (): Promise<unknown> => withClient(connectAs(s), (client) => readSwapState(client, s.role, RUN));

  it('shows the exact rename SQL for the plan', () => {
    expect(swapRenameSql('swap', 'cm_rlsfault', RUN)).toEqual([
      `ALTER SCHEMA "cm_rlsfault" RENAME TO "cm_rlsfault__rd_prev_${RUN}";`,
      `ALTER SCHEMA "cm_rlsfault__rd_new" RENAME TO "cm_rlsfault";`,
    ]);
    expect(swapRenameSql('swap-back', 'cm_rlsfault', RUN)[0]).toBe(`ALTER SCHEMA "cm_rlsfault" RENAME TO "cm_rlsfault__rd_undone_${RUN}";`);
  });

  it('refuses while another session uses a table of the schema (lock_timeout)', async () => {
    const holder = await c.connect({ database: s.database });
    try {
      await holder.query(`BEGIN; SELECT 1 FROM ${qualified(s.role, 'resources')} LIMIT 1`);
      const started = Date.now();
      const error = await withClient(connectAs(s), async (client) => swapInReplicaShadow(client, await swapOptions(s, { lockTimeoutMs: 300 }))).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SwapSchemaInUseError);
      expect((error as SwapSchemaInUseError).hint).toMatch(/Nothing was renamed/);
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      await holder.query('ROLLBACK');
      await holder.end();
    }
    expect(await state()).toEqual(untouched);
  });

  it('refuses when the shadow schema is missing or the kept name is taken', async () => {
    await c.query(`ALTER SCHEMA ${quoteIdent(shadow)} RENAME TO elsewhere`, [], s.database);
    const missing = await withClient(connectAs(s), async (client) => swapInReplicaShadow(client, await swapOptions(s))).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(SwapSourceMissingError);
    expect((missing as SwapSourceMissingError).code).toBe('swap-shadow-missing');
    await c.query(`ALTER SCHEMA elsewhere RENAME TO ${quoteIdent(shadow)}`, [], s.database);
    const noKept = await withClient(connectAs(s), async (client) => swapBackReplica(client, await swapOptions(s))).catch((e: unknown) => e);
    expect((noKept as SwapSourceMissingError).code).toBe('swap-kept-missing');

    await c.query(`CREATE SCHEMA ${quoteIdent(prev)}`, [], s.database);
    const taken = await withClient(connectAs(s), async (client) => swapInReplicaShadow(client, await swapOptions(s))).catch((e: unknown) => e);
    expect(taken).toBeInstanceOf(SwapNameTakenError);
    await c.query(`DROP SCHEMA ${quoteIdent(prev)}`, [], s.database);
    expect(await state()).toEqual(untouched);
  });

  it('refuses a shadow schema that another role owns (the owner is bound by OID and would change)', async () => {
    await c.query(`ALTER SCHEMA ${quoteIdent(shadow)} OWNER TO ${READER}`, [], s.database);
    try {
      const error = await withClient(connectAs(s), async (client) => swapInReplicaShadow(client, await swapOptions(s))).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SwapOwnerMismatchError);
      expect((error as SwapOwnerMismatchError).hint).toContain(`ALTER SCHEMA "${shadow}" OWNER TO "${s.role}"`);
    } finally {
      await c.query(`ALTER SCHEMA ${quoteIdent(shadow)} OWNER TO ${quoteIdent(s.role)}`, [], s.database);
    }
    expect(await state()).toEqual(untouched);
  });

  it('refuses while a view in another schema is built on the live schema (bound by OID)', async () => {
    await c.query(`CREATE VIEW public.report AS SELECT id FROM ${qualified(s.role, 'resources')}`, [], s.database);
    try {
      const error = await withClient(connectAs(s), async (client) => swapInReplicaShadow(client, await swapOptions(s))).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SwapExternalDependentsError);
      expect((error as Error).message).toContain(`view public.report depends on table ${s.role}.resources`);
    } finally {
      await c.query('DROP VIEW public.report', [], s.database);
    }
    expect(await state()).toEqual(untouched);
  });

  it('a kill of the swap session while it waits between the two renames leaves exactly the old state', async () => {
    const oids = await schemaOids(s);
    // A DBA's open transaction changed the shadow schema's catalog row: the second rename must wait for it.
    const blocker = await c.connect({ database: s.database });
    const swapper = await connectAs(s);
    try {
      await blocker.query(`BEGIN; GRANT USAGE ON SCHEMA ${quoteIdent(shadow)} TO ${READER}`);
      const pid = (await swapper.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid;
      const swapping = swapInReplicaShadow(swapper, await swapOptions(s, { lockTimeoutMs: 30_000 })).catch((e: unknown) => e);
      await expect
        .poll(async () => (await c.query(`SELECT wait_event_type AS w, query FROM pg_stat_activity WHERE pid = $1`, [pid])).rows[0])
        .toEqual({ w: 'Lock', query: `ALTER SCHEMA ${quoteIdent(shadow)} RENAME TO ${quoteIdent(s.role)}` });
      // Inside the swap's transaction the first rename has happened; from outside, nothing has.
      expect(await schemaOids(s)).toEqual(oids);
      await c.query('SELECT pg_terminate_backend($1)', [pid]);
      const error = await swapping;
      expect(error).toBeInstanceOf(SwapInterruptedError);
    } finally {
      await blocker.query('ROLLBACK');
      await blocker.end();
      await swapper.end().catch(() => undefined);
    }
    expect(await schemaOids(s)).toEqual(oids);
    expect(await state()).toEqual(untouched);
  });

  it('discard refuses what is not a kept schema of this replica, and a kept name that holds a master', async () => {
    const expectIdentity = (await swapOptions(s)).expect;
    for (const name of [s.role, shadow, 'cm_mls', `cm_other__rd_prev_${RUN}`]) {
      const error = await withClient(connectAs(s), (client) => discardKeptSchema(client, s.role, name, { expect: expectIdentity })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NotAKeptSchemaError);
    }
    const masterLike = keptSchemaName(s.role, 'prev', 'not-fixed-up');
    await restoreShadow(FAULTS, masterLike, false);
    const error = await withClient(connectAs(s), (client) => discardKeptSchema(client, s.role, masterLike, { expect: expectIdentity })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KeptSchemaIsMasterError);
    expect(await withClient(connectAs(s), (client) => listKeptSchemas(client, s.role))).toEqual([expect.objectContaining({ name: masterLike })]);
    expect(await state()).toEqual(untouched);
  });

  it('refuses to swap in a shadow whose fix-ups did not run (it still says publication), and to set a master aside', async () => {
    const masterLike = keptSchemaName(s.role, 'prev', 'not-fixed-up');
    await c.query(`ALTER SCHEMA ${quoteIdent(shadow)} RENAME TO fixed_shadow; ALTER SCHEMA ${quoteIdent(masterLike)} RENAME TO ${quoteIdent(shadow)}`, [], s.database);
    try {
      const error = await withClient(connectAs(s), async (client) => swapInReplicaShadow(client, await swapOptions(s))).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SwapServerTypeError);
      expect((error as Error).message).toContain(`Refused to swap in schema "${shadow}"`);
    } finally {
      await c.query(`ALTER SCHEMA ${quoteIdent(shadow)} RENAME TO ${quoteIdent(masterLike)}; ALTER SCHEMA fixed_shadow RENAME TO ${quoteIdent(shadow)}`, [], s.database);
    }
    // The profile aimed at the master: its schema would be renamed away. (The master's role, so it may rename.)
    const master = FAULTS.master;
    await restoreShadow({ ...FAULTS, replica: master }, shadowSchemaName(master.role));
    const before = await masterFingerprint(master);
    const error = await withClient(connectAs(master), async (client) => swapInReplicaShadow(client, await swapOptions(master))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SwapServerTypeError);
    expect((error as Error).message).toContain(`Refused to set schema "${master.role}" aside`);
    expect(await masterFingerprint(master)).toBe(before);
    await c.query(`DROP SCHEMA ${quoteIdent(shadowSchemaName(master.role))} CASCADE`, [], master.database);
    expect(await state()).toEqual(untouched);
  });

  it('after all that, the swap goes through; an idle session prepared before it reads the new schema after it', async () => {
    // A rename invalidates cached plans: prepared statements, qualified or not, resolve names again.
    const idle = await c.connect({ database: s.database });
    try {
      await idle.query(`SET search_path = ${quoteIdent(s.role)}`);
      await idle.query(`PREPARE unqualified AS SELECT content FROM system WHERE property = 'repository_id'`);
      await idle.query(`PREPARE qualified AS SELECT content FROM ${qualified(s.role, 'system')} WHERE property = 'repository_id'`);
      const before = [(await idle.query('EXECUTE unqualified')).rows[0], (await idle.query('EXECUTE qualified')).rows[0]];
      expect(before).toEqual([{ content: `sim-${s.role}` }, { content: `sim-${s.role}` }]);
      const result = await withClient(connectAs(s), async (client) => swapInReplicaShadow(client, await swapOptions(s)));
      expect(result.setAside).toBe(prev);
      const after = [(await idle.query('EXECUTE unqualified')).rows[0], (await idle.query('EXECUTE qualified')).rows[0]];
      expect(after).toEqual([{ content: `sim-${FAULTS.master.role}` }, { content: `sim-${FAULTS.master.role}` }]);
    } finally {
      await idle.end();
    }
    expect(await state()).toEqual({ live: true, shadow: false, prev: true, undone: false });
  });
});
