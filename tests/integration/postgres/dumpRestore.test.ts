// Dump and restore against real PostgreSQL 15 clusters with generated CoreMedia databases.
// Cluster A holds the shared-database layout: the live master schema and the replica schema
// in ONE database, the dangerous case. Cluster B holds per-server databases. The replica role
// is even granted full rights on the master schema, so only the renamer stands between the
// restore and the master; the master is fingerprinted before and after.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, existsSync, writeFileSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CancelledError } from '../../../src/main/core/cancellation';
import { qualified, quoteIdent, resolveTableName } from '../../../src/main/core/postgres/catalog';
import type { DbSettings } from '../../../src/main/core/postgres/connect';
import { BackupFileExistsError, dumpSchema, type DumpProgress, type DumpResult } from '../../../src/main/core/postgres/dumpSchema';
import { InvalidDumpError, readDumpContents, requireDumpArchive } from '../../../src/main/core/postgres/dumpArchive';
import { PgToolTooOldError, PgToolsMissingError, findPgTools, requireToolsFor, type PgTools } from '../../../src/main/core/postgres/pgTools';
import { FollowedDumpFailedError, restoreIntoSchema, type RestoreProgress } from '../../../src/main/core/postgres/restoreIntoSchema';
import { countRows } from '../../../src/main/core/postgres/tableCounts';
import { TargetSchemaExistsError, SchemaCreateDeniedError, VERIFICATION_FAILED_PREFIX, restoreEpilogue, restorePrologue } from '../../../src/main/core/postgres/restoreTarget';
import { UnsafeDumpError } from '../../../src/main/core/postgres/schemaRenamer';
import { Secret } from '../../../src/main/core/secrets/secret';
import { createContentServer } from '../../harness/coremedia/contentServerDatabase';
import { startCluster, type PgCluster } from '../../harness/postgresCluster';
import { processesMentioning } from '../../harness/processes';

const pw = (): string => randomBytes(12).toString('base64url');
const PW = { master: pw(), replica: pw(), rls: pw(), big: pw(), bigRls: pw(), odd: pw(), other: pw() };

let a: PgCluster;
let b: PgCluster;
let tools: PgTools;
let dir: string;
let masterDump: DumpResult;
let masterSequencesAtDump: Record<string, string>;
const dumpEvents: DumpProgress[] = [];

const dbOf = (c: PgCluster, database: string, user: string): DbSettings => ({ host: c.host, port: c.port, database, user, sslmode: 'disable' });


async function withClient<T>(c: PgCluster, database: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = await c.connect({ database });
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Each table's rows as one md5, ordered by the whole row: equal means equal content. */
async function tableContents(client: pg.Client, schema: string): Promise<Record<string, string>> {
  const { rows } = await client.query<{ relname: string }>(`SELECT relname FROM pg_class WHERE relnamespace = $1::regnamespace AND relkind = 'r' ORDER BY relname`, [quoteIdent(schema)]);
  const out: Record<string, string> = {};
  for (const { relname } of rows) {
    const r = await client.query<{ h: string; n: string }>(`SELECT md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) AS h, count(*)::text AS n FROM ${qualified(schema, relname)} t`);
    out[relname] = `${r.rows[0]?.n} rows ${r.rows[0]?.h}`;
  }
  return out;
}

async function sequenceStates(client: pg.Client, schema: string): Promise<Record<string, string>> {
  const { rows } = await client.query<{ relname: string }>(`SELECT relname FROM pg_class WHERE relnamespace = $1::regnamespace AND relkind = 'S' ORDER BY relname`, [quoteIdent(schema)]);
  const out: Record<string, string> = {};
  for (const { relname } of rows) {
    const r = await client.query<{ v: string; c: boolean }>(`SELECT last_value::text AS v, is_called AS c FROM ${qualified(schema, relname)}`);
    out[relname] = `${r.rows[0]?.v}/${r.rows[0]?.c}`;
  }
  return out;
}

/** Everything about a schema that a stray write would change: catalog rows (by xmin), definitions, data, dependencies. */
async function fingerprint(client: pg.Client, schema: string): Promise<unknown> {
  const catalog = await client.query(
    `SELECT c.relname, c.relkind, c.xmin::text AS xmin, c.relowner::regrole::text AS owner, c.relacl::text AS acl,
            (SELECT string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod) || ' ' || coalesce(pg_get_expr(d.adbin, d.adrelid), '') || a.attidentity::text, ', ' ORDER BY a.attnum)
               FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
              WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) AS columns,
            CASE WHEN c.relkind = 'i' THEN pg_get_indexdef(c.oid) WHEN c.relkind = 'v' THEN pg_get_viewdef(c.oid) END AS def,
            (SELECT string_agg(conname || ' ' || pg_get_constraintdef(oid) || ' ' || xmin::text, ', ' ORDER BY conname) FROM pg_constraint WHERE conrelid = c.oid) AS constraints
       FROM pg_class c WHERE c.relnamespace = $1::regnamespace ORDER BY c.relname`,
    [quoteIdent(schema)],
  );
  const namespace = await client.query(`SELECT xmin::text, nspowner::regrole::text, nspacl::text FROM pg_namespace WHERE nspname = $1`, [schema]);
  const dependencies = await client.query(
    `SELECT pg_describe_object(d.classid, d.objid, d.objsubid) || ' -> ' || pg_describe_object(d.refclassid, d.refobjid, d.refobjsubid) AS dep
       FROM pg_depend d CROSS JOIN LATERAL pg_identify_object(d.refclassid, d.refobjid, d.refobjsubid) r
      WHERE r.schema = $1 OR (d.refclassid = 'pg_namespace'::regclass AND d.refobjid = $2::regnamespace) ORDER BY 1`,
    [schema, quoteIdent(schema)],
  );
  return { catalog: catalog.rows, namespace: namespace.rows, dependencies: dependencies.rows, data: await tableContents(client, schema), sequences: await sequenceStates(client, schema) };
}

/** Objects in `schema` that `role` does not own. */
async function foreignOwned(client: pg.Client, schema: string, role: string): Promise<string[]> {
  const { rows } = await client.query<{ what: string }>(
    `SELECT 'relation ' || relname AS what FROM pg_class WHERE relnamespace = $1::regnamespace AND relowner <> $2::regrole
     UNION ALL SELECT 'type ' || typname FROM pg_type WHERE typnamespace = $1::regnamespace AND typowner <> $2::regrole
     UNION ALL SELECT 'function ' || proname FROM pg_proc WHERE pronamespace = $1::regnamespace AND proowner <> $2::regrole
     UNION ALL SELECT 'the schema itself' FROM pg_namespace WHERE oid = $1::regnamespace AND nspowner <> $2::regrole`,
    [quoteIdent(schema), quoteIdent(role)],
  );
  return rows.map((r) => r.what);
}

const TRICKY_TEXT = ['cm_master.article', 'SET search_path = cm_master;', 'back\\slash \\. and cm_master."System"', 'line1\n\\.\nline3', "'; DROP SCHEMA cm_master CASCADE; --"];

async function addTrickyObjects(c: PgCluster, database: string, role: string, password: string): Promise<void> {
  const client = await c.connect({ database, user: role, password });
  try {
    await client.query(`
      CREATE TABLE cm_master.ident (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, s serial, note text DEFAULT 'cm_master.x' CHECK (note <> 'cm_master.forbidden'));
      CREATE TABLE cm_master."Mixed Case" (id bigserial PRIMARY KEY, cm_master text, payload bytea, ref bigint REFERENCES cm_master.resources(id));
      CREATE INDEX "Mixed Case_cm_master_idx" ON cm_master."Mixed Case" (cm_master);
      CREATE VIEW cm_master.article_titles AS SELECT a.id, a.title FROM cm_master.article a WHERE a.title <> 'cm_master.';
      COMMENT ON TABLE cm_master."Mixed Case" IS 'mentions cm_master.article on purpose';`);
    for (const text of TRICKY_TEXT) {
      await client.query(`INSERT INTO cm_master.ident (note) VALUES ($1)`, [text]);
      await client.query(`INSERT INTO cm_master."Mixed Case" (cm_master, payload, ref) VALUES ($1, $2, 1)`, [text, Buffer.concat([Buffer.from(text), Buffer.from([0, 0xff, 0x5c, 0x2e, 0x0a])])]);
    }
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  [a, b] = await Promise.all([startCluster(), startCluster()]);
  dir = mkdtempSync(join(tmpdir(), 'replica-desk-dump-'));
  tools = await findPgTools({ env: process.env });
  // Cluster A, shared layout: master and replica schemas in the one database "coremedia".
  await createContentServer(a, { layout: 'shared-database', database: 'coremedia', role: 'cm_master', password: PW.master, serverType: 'publication', mixedCaseTables: true, sizeMb: 1 });
  await addTrickyObjects(a, 'coremedia', 'cm_master', PW.master);
  await createContentServer(a, { layout: 'shared-database', database: 'coremedia', role: 'cm_replication', password: PW.replica, serverType: 'live', mixedCaseTables: true });
  await a.createRole('cm_other', PW.other);
  // Cluster B, per-server layout: replica database "rls"; a 100 MB master "big" and its replica "bigrls".
  await createContentServer(b, { layout: 'database-per-server', database: 'rls', role: 'cm_replication', password: PW.rls, serverType: 'live', mixedCaseTables: true });
  await createContentServer(b, { layout: 'database-per-server', database: 'big', role: 'cm_big', password: PW.big, serverType: 'publication', sizeMb: 100 });
  await createContentServer(b, { layout: 'database-per-server', database: 'bigrls', role: 'cm_bigrls', password: PW.bigRls, serverType: 'live' });
  masterDump = await dumpSchema({
    tools,
    db: dbOf(a, 'coremedia', 'cm_master'),
    password: new Secret(PW.master),
    schema: 'cm_master',
    file: join(dir, 'backups', 'master.dump'),
    onProgress: (p) => dumpEvents.push(p),
  });
  masterSequencesAtDump = await withClient(a, 'coremedia', (c) => sequenceStates(c, 'cm_master'));
}, 180_000);

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('finding the tools', () => {
  it('finds pg_dump, pg_restore and psql of one version and checks them against a server', async () => {
    expect(tools.pgDump.major).toBe(15);
    expect(tools.pgRestore.path.replace(/pg_restore$/, '')).toBe(tools.pgDump.path.replace(/pg_dump$/, ''));
    expect(() => requireToolsFor(tools, 15)).not.toThrow();
    const tooOld = (() => {
      try {
        requireToolsFor(tools, 16);
      } catch (e) {
        return e;
      }
    })();
    expect(tooOld).toBeInstanceOf(PgToolTooOldError);
    expect((tooOld as PgToolTooOldError).code).toBe('pg-tool-too-old');
  });

  it('reports a configured directory without the tools, and where it looked', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'replica-desk-nopg-'));
    try {
      for (const options of [{ binDir: empty, env: process.env }, { env: { ...process.env, REPLICA_DESK_PG_BIN: empty } }]) {
        const error = await findPgTools(options).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(PgToolsMissingError);
        expect((error as PgToolsMissingError).code).toBe('pg-tools-missing');
        expect((error as PgToolsMissingError).message).toContain(empty);
        expect((error as PgToolsMissingError).hint).toMatch(/postgresql-client/);
      }
      const nowhere = await findPgTools({ env: { PATH: empty }, platform: 'win32' }).catch((e: unknown) => e);
      expect((nowhere as PgToolsMissingError).searched).toContain(empty);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe('dumping the master', () => {
  it('writes a private, complete archive with its SHA-256 and reports progress', () => {
    const file = masterDump.file;
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'backups')).mode & 0o777).toBe(0o700);
    expect(existsSync(`${file}.partial`)).toBe(false);
    expect(masterDump.bytes).toBe(statSync(file).size);
    expect(masterDump.sha256).toBe(createHash('sha256').update(readFileSync(file)).digest('hex'));
    expect(masterDump).toMatchObject({ format: 'custom', compression: '0' });
    const last = dumpEvents.at(-1);
    expect(last).toMatchObject({ phase: 'dump', tablesDone: 12, tablesTotal: 12, bytes: masterDump.bytes });
  });

  it("dumps exactly the caller's exported snapshot", async () => {
    const snap = await createContentServer(b, { layout: 'database-per-server', database: 'snap', role: 'cm_snap', password: PW.odd, serverType: 'publication' });
    const holder = await b.connect({ database: 'snap' });
    try {
      await holder.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const snapshot = (await holder.query<{ s: string }>('SELECT pg_export_snapshot() AS s')).rows[0]?.s;
      await b.query(`INSERT INTO cm_snap.users (id, name) VALUES (9999, 'written after the snapshot')`, undefined, 'snap');
      const dump = await dumpSchema({ tools, db: dbOf(b, 'snap', 'cm_snap'), password: new Secret(PW.odd), schema: 'cm_snap', file: join(dir, 'snap.dump'), snapshot });
      await holder.query('COMMIT');
      await restoreIntoSchema({ tools, dumpFile: dump.file, sourceSchema: 'cm_snap', target: { ...dbOf(b, 'snap', 'cm_snap'), schema: 'snap_copy' }, password: new Secret(PW.odd) });
    } finally {
      await holder.end();
    }
    const counts = await b.query<{ copy: number; live: number }>(
      'SELECT (SELECT count(*) FROM snap_copy.users)::int AS copy, (SELECT count(*) FROM cm_snap.users)::int AS live',
      undefined,
      'snap',
    );
    expect(counts.rows[0]).toEqual({ copy: snap.tableRowCounts.users, live: (snap.tableRowCounts.users ?? 0) + 1 });
  });

  it('never replaces a file: one there before, or one that appears while pg_dump runs', async () => {
    const before = join(dir, 'backups', 'taken.dump');
    writeFileSync(before, 'the admin’s own file');
    const refused = await dumpSchema({ tools, db: dbOf(a, 'coremedia', 'cm_master'), password: new Secret(PW.master), schema: 'cm_master', file: before }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(BackupFileExistsError);
    expect(readFileSync(before, 'utf8')).toBe('the admin’s own file');
    expect(existsSync(`${before}.partial`)).toBe(false);

    const racing = join(dir, 'backups', 'raced.dump');
    const raced = await dumpSchema({
      tools,
      db: dbOf(a, 'coremedia', 'cm_master'),
      password: new Secret(PW.master),
      schema: 'cm_master',
      file: racing,
      onProgress: () => {
        if (!existsSync(racing)) writeFileSync(racing, 'written meanwhile');
      },
    }).catch((e: unknown) => e);
    expect(raced).toBeInstanceOf(BackupFileExistsError);
    expect(readFileSync(racing, 'utf8')).toBe('written meanwhile');
    expect(readdirSync(join(dir, 'backups')).filter((f) => f.startsWith('raced'))).toEqual(['raced.dump']);
  });

  it('passes the archive to pg_restore after "--", so a file name is never read as an option', async () => {
    // A relative name that looks like an option, in the directory the tools run in. Without
    // "--", pg_restore refuses it as an unknown option (or, for --version, prints and exits 0).
    const name = `--rd-${randomBytes(4).toString('hex')}.dump`;
    writeFileSync(join(process.cwd(), name), readFileSync(masterDump.file));
    try {
      expect(await readDumpContents(tools.pgRestore, name, 'cm_master', process.env)).toMatchObject({ tables: expect.any(Number) });
      const listing = await readDumpContents(tools.pgRestore, '--version', 'cm_master', process.env).catch((e: unknown) => e);
      expect(listing).toBeInstanceOf(InvalidDumpError);
      expect((listing as Error).message).toMatch(/could not open input file "--version"/);

      // The database "snap" of cm_snap exists from the snapshot test above.
      const target = { ...dbOf(b, 'snap', 'cm_snap'), schema: 'dash_copy' };
      const restored = await restoreIntoSchema({ tools, dumpFile: name, sourceSchema: 'cm_master', target, password: new Secret(PW.odd) });
      expect(restored.tables).toBeGreaterThan(0);
    } finally {
      rmSync(join(process.cwd(), name), { force: true });
    }
  });

  it('takes a pg_dump archive as a backup by its header', async () => {
    await expect(requireDumpArchive(masterDump.file)).resolves.toBeUndefined();
  });

  it('fails with wrong-password and leaves no file behind', async () => {
    const file = join(dir, 'backups', 'wrong.dump');
    const error = await dumpSchema({ tools, db: dbOf(a, 'coremedia', 'cm_master'), password: new Secret(`not-${PW.master}`), schema: 'cm_master', file }).catch((e: unknown) => e);
    expect((error as { code?: string }).code).toBe('wrong-password');
    expect((error as Error).message).toContain(`127.0.0.1:${a.port}/coremedia`);
    expect(existsSync(file)).toBe(false);
    expect(existsSync(`${file}.partial`)).toBe(false);
  });

  it('stops on abort: CancelledError, pg_dump gone, no partial file; the password never reaches argv or env', async () => {
    const file = join(dir, 'backups', `big-${randomBytes(4).toString('hex')}.dump`);
    const controller = new AbortController();
    const seen: { argv: string; environ: string }[] = [];
    const error = await dumpSchema({
      tools,
      db: dbOf(b, 'big', 'cm_big'),
      password: new Secret(PW.big),
      schema: 'cm_big',
      file,
      compression: '6',
      signal: controller.signal,
      onProgress: (p) => {
        if (p.bytes === 0 || controller.signal.aborted) return;
        for (const pid of processesMentioning(file)) {
          seen.push({ argv: readFileSync(`/proc/${pid}/cmdline`, 'utf8'), environ: readFileSync(`/proc/${pid}/environ`, 'utf8') });
        }
        controller.abort();
      },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CancelledError);
    expect(seen.length).toBeGreaterThan(0);
    for (const { argv, environ } of seen) {
      expect(argv).not.toContain(PW.big);
      expect(environ).not.toContain(PW.big);
      expect(environ).toContain('PGPASSFILE=');
      expect(environ).not.toContain('PGPASSWORD=');
    }
    expect(processesMentioning(file)).toEqual([]);
    expect(existsSync(`${file}.partial`)).toBe(false);
    expect(existsSync(file)).toBe(false);
  });
});

describe('restoring into the replica schema', () => {
  it('shared layout: fills the replica schema next to the live master and leaves the master byte-identical', async () => {
    // The DBA's way in a shared database: the role may not create schemas, so its schema is recreated empty.
    await a.query('DROP SCHEMA cm_replication CASCADE; CREATE SCHEMA cm_replication AUTHORIZATION cm_replication', undefined, 'coremedia');
    await a.query(
      'GRANT USAGE, CREATE ON SCHEMA cm_master TO cm_replication; GRANT ALL ON ALL TABLES IN SCHEMA cm_master TO cm_replication; GRANT ALL ON ALL SEQUENCES IN SCHEMA cm_master TO cm_replication',
      undefined,
      'coremedia',
    );
    // Moved on since the dump, so that a stray setval or COPY into the master would show.
    await a.query(`SELECT nextval('cm_master.resource_id_seq'), nextval('cm_master."Mixed Case_id_seq"')`, undefined, 'coremedia');
    const before = await withClient(a, 'coremedia', (c) => fingerprint(c, 'cm_master'));

    const events: RestoreProgress[] = [];
    const result = await restoreIntoSchema({
      tools,
      dumpFile: masterDump.file,
      sourceSchema: 'cm_master',
      target: { ...dbOf(a, 'coremedia', 'cm_replication'), schema: 'cm_replication' },
      password: new Secret(PW.replica),
      onProgress: (p) => events.push(p),
    });
    expect(result.tables).toBe(12);
    expect(events.at(-1)).toMatchObject({ phase: 'restore', tablesDone: 12, tablesTotal: 12, bytesTotal: masterDump.bytes });

    await withClient(a, 'coremedia', async (c) => {
      expect(await fingerprint(c, 'cm_master')).toEqual(before);
      const master = await tableContents(c, 'cm_master');
      expect(await tableContents(c, 'cm_replication')).toEqual(master);
      expect(Object.keys(master)).toEqual(expect.arrayContaining(['System', 'ChangeLog', 'CmLicenses', 'Mixed Case', 'ident']));
      expect(await resolveTableName(c, 'cm_replication', 'system')).toBe('System');
      expect(await foreignOwned(c, 'cm_replication', 'cm_replication')).toEqual([]);
      expect(await sequenceStates(c, 'cm_replication')).toEqual(masterSequencesAtDump);
      const notes = await c.query<{ note: string }>(`SELECT note FROM cm_replication.ident WHERE note = ANY($1) ORDER BY id`, [TRICKY_TEXT]);
      expect(notes.rows.map((r) => r.note)).toEqual(TRICKY_TEXT);
    });
    // The replica's defaults use the replica's own sequences, and the replica role can use them.
    const replica = await a.connect({ database: 'coremedia', user: 'cm_replication', password: PW.replica });
    try {
      await replica.query('REVOKE ALL ON ALL SEQUENCES IN SCHEMA cm_master FROM cm_replication');
      const row = await replica.query<{ id: string }>(`INSERT INTO cm_replication.resources (name) VALUES ('after restore') RETURNING id::text AS id`);
      expect(row.rows[0]?.id).toBe(String(Number(masterSequencesAtDump.resource_id_seq?.split('/')[0]) + 1));
      await replica.query(`INSERT INTO cm_replication.ident (note) VALUES ('after restore')`);
    } finally {
      await replica.end();
    }
  });

  it('per-server layout: creates the schema in another cluster, owned by the replica role', async () => {
    await b.query('DROP SCHEMA cm_replication CASCADE', undefined, 'rls');
    await restoreIntoSchema({
      tools,
      dumpFile: masterDump.file,
      sourceSchema: 'cm_master',
      target: { ...dbOf(b, 'rls', 'cm_replication'), schema: 'cm_replication' },
      password: new Secret(PW.rls),
    });
    const master = await withClient(a, 'coremedia', (c) => tableContents(c, 'cm_master'));
    await withClient(b, 'rls', async (c) => {
      expect(await tableContents(c, 'cm_replication')).toEqual(master);
      expect(await foreignOwned(c, 'cm_replication', 'cm_replication')).toEqual([]);
      const names = await c.query<{ nspname: string }>(`SELECT nspname FROM pg_namespace WHERE nspname LIKE 'cm\\_%' ORDER BY 1`);
      expect(names.rows.map((r) => r.nspname)).toEqual(['cm_replication']);
    });
  });

  it('refuses a target schema that is not empty, and one the role may not create', async () => {
    const target = { ...dbOf(a, 'coremedia', 'cm_replication'), schema: 'cm_replication' };
    const exists = await restoreIntoSchema({ tools, dumpFile: masterDump.file, sourceSchema: 'cm_master', target, password: new Secret(PW.replica) }).catch((e: unknown) => e);
    expect(exists).toBeInstanceOf(TargetSchemaExistsError);
    const other = { ...dbOf(a, 'coremedia', 'cm_other'), schema: 'cm_other' };
    const denied = await restoreIntoSchema({ tools, dumpFile: masterDump.file, sourceSchema: 'cm_master', target: other, password: new Secret(PW.other) }).catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(SchemaCreateDeniedError);
    expect((denied as SchemaCreateDeniedError).hint).toContain('GRANT CREATE ON DATABASE "coremedia" TO "cm_other"');
  });

  it('rolls back everything when the dump holds something it cannot move safely', async () => {
    await createContentServer(b, { layout: 'database-per-server', database: 'odd', role: 'cm_odd', password: PW.odd, serverType: 'publication' });
    await b.query(`CREATE FUNCTION cm_odd.head() RETURNS bigint LANGUAGE sql AS $$ SELECT max(sequenceno) FROM cm_odd.changelog $$; ALTER FUNCTION cm_odd.head() OWNER TO cm_odd`, undefined, 'odd');
    const odd = await dumpSchema({ tools, db: dbOf(b, 'odd', 'cm_odd'), password: new Secret(PW.odd), schema: 'cm_odd', file: join(dir, 'odd.dump') });
    const error = await restoreIntoSchema({
      tools,
      dumpFile: odd.file,
      sourceSchema: 'cm_odd',
      target: { ...dbOf(b, 'odd', 'cm_odd'), schema: 'odd_copy' },
      password: new Secret(PW.odd),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsafeDumpError);
    expect((error as UnsafeDumpError).message).toContain('cm_odd.changelog');
    const left = await b.query(`SELECT 1 FROM pg_namespace WHERE nspname = 'odd_copy'`, undefined, 'odd');
    expect(left.rowCount).toBe(0);
  });

  it('the check inside the transaction rejects an object that depends on the master schema', async () => {
    await a.query('GRANT USAGE ON SCHEMA cm_master TO cm_other; GRANT USAGE ON ALL SEQUENCES IN SCHEMA cm_master TO cm_other; GRANT CREATE ON DATABASE coremedia TO cm_other', undefined, 'coremedia');
    const client = await a.connect({ database: 'coremedia', user: 'cm_other', password: PW.other });
    try {
      const script =
        restorePrologue('cm_other', { createSchema: true, serverVersionNum: 150000 }) +
        `CREATE TABLE cm_other.t (id bigint DEFAULT nextval('cm_master.resource_id_seq'::regclass));\n` +
        restoreEpilogue('cm_master', 'cm_other');
      await expect(client.query(script)).rejects.toThrow(VERIFICATION_FAILED_PREFIX);
    } finally {
      await client.end();
    }
    const left = await a.query(`SELECT 1 FROM pg_namespace WHERE nspname = 'cm_other'`, undefined, 'coremedia');
    expect(left.rowCount).toBe(0);
  });

  it('stops on abort: CancelledError, no child left, the target schema does not exist', async () => {
    const big = await dumpSchema({ tools, db: dbOf(b, 'big', 'cm_big'), password: new Secret(PW.big), schema: 'cm_big', file: join(dir, 'big-abort.dump') });
    await b.query('DROP SCHEMA cm_bigrls CASCADE', undefined, 'bigrls');
    const controller = new AbortController();
    let abortedAt: RestoreProgress | null = null;
    const error = await restoreIntoSchema({
      tools,
      dumpFile: big.file,
      sourceSchema: 'cm_big',
      target: { ...dbOf(b, 'bigrls', 'cm_bigrls'), schema: 'cm_bigrls' },
      password: new Secret(PW.bigRls),
      signal: controller.signal,
      onProgress: (p) => {
        if (p.bytes > 0 && !controller.signal.aborted) {
          abortedAt = p;
          controller.abort();
        }
      },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CancelledError);
    expect(abortedAt).not.toBeNull();
    expect(processesMentioning(big.file)).toEqual([]);
    // This restore's psql, by its cluster's port: other files restore in parallel.
    expect(processesMentioning(`port='${b.port}'`)).toEqual([]);
    const sessions = await b.query(`SELECT 1 FROM pg_stat_activity WHERE application_name LIKE 'replica-desk-restore-%'`);
    expect(sessions.rowCount).toBe(0);
    const left = await b.query(`SELECT 1 FROM pg_namespace WHERE nspname = 'cm_bigrls'`, undefined, 'bigrls');
    expect(left.rowCount).toBe(0);
  });
});

describe('restoring while the dump is written (follow)', () => {
  const schemaExists = async () => (await b.query(`SELECT 1 FROM pg_namespace WHERE nspname = 'cm_bigrls'`, undefined, 'bigrls')).rowCount === 1;
  const countsOf = (database: string, schema: string) => withClient(b, database, (c) => countRows(c, schema));

  /** dumpSchema of "big", with a restore into cm_bigrls that starts as soon as pg_dump writes; `recorded` is the caller's. */
  async function dumpAndFollow(file: string, recorded: (written: Promise<void>) => Promise<unknown>) {
    let restore: Promise<unknown> | null = null;
    let markWritten!: () => void;
    const written = new Promise<void>((resolve) => (markWritten = resolve));
    let firstBytesAt = Number.POSITIVE_INFINITY;
    let writtenAt = Number.NaN;
    const dump = await dumpSchema({
      tools,
      db: dbOf(b, 'big', 'cm_big'),
      password: new Secret(PW.big),
      schema: 'cm_big',
      file,
      onWriting: (partial) => {
        restore = restoreIntoSchema({
          tools,
          dumpFile: partial,
          sourceSchema: 'cm_big',
          target: { ...dbOf(b, 'bigrls', 'cm_bigrls'), schema: 'cm_bigrls' },
          password: new Secret(PW.bigRls),
          follow: { written, recorded: recorded(written), tablesTotal: 10 },
          onProgress: (p) => void (p.bytes > 0 && (firstBytesAt = Math.min(firstBytesAt, Date.now()))),
        }).catch((e: unknown) => e);
      },
      onWritten: () => {
        writtenAt = Date.now();
        markWritten();
      },
    });
    return { dump, restore: restore!, firstBytesAt: () => firstBytesAt, writtenAt };
  }

  it('restores the whole schema from the growing file (pg_dump rewrites its TOC at the end), and commits only once the dump is recorded', async () => {
    await b.query('DROP SCHEMA IF EXISTS cm_bigrls CASCADE', undefined, 'bigrls');
    let release!: () => void;
    const recordedGate = new Promise<void>((resolve) => (release = resolve));
    const { restore, firstBytesAt, writtenAt } = await dumpAndFollow(join(dir, 'big-follow.dump'), () => recordedGate);
    // The restore's script was flowing before pg_dump had finished: it read the file while it grew.
    expect(firstBytesAt()).toBeLessThan(writtenAt);
    await new Promise((r) => setTimeout(r, 1_500));
    // The dump is done, the SHA-256 not yet "recorded": nothing is committed.
    expect(await schemaExists()).toBe(false);
    release();
    expect(await restore).toMatchObject({ tables: expect.any(Number) });
    expect(await countsOf('bigrls', 'cm_bigrls')).toEqual(await countsOf('big', 'cm_big'));
  }, 180_000);

  it('takes pg_restore closing its input before the archive ends (it exits 0 once it has every entry) as success', async () => {
    await b.query('DROP SCHEMA IF EXISTS cm_bigrls CASCADE', undefined, 'bigrls');
    const dump = await dumpSchema({ tools, db: dbOf(b, 'big', 'cm_big'), password: new Secret(PW.big), schema: 'cm_big', file: join(dir, 'big-trailing.dump') });
    // 8 MiB after the archive's end, more than a pipe holds: pg_restore never reads them.
    await appendFile(dump.file, Buffer.alloc(8 * 1024 * 1024));
    const result = await restoreIntoSchema({
      tools,
      dumpFile: dump.file,
      sourceSchema: 'cm_big',
      target: { ...dbOf(b, 'bigrls', 'cm_bigrls'), schema: 'cm_bigrls' },
      password: new Secret(PW.bigRls),
      follow: { written: Promise.resolve(), recorded: Promise.resolve(), tablesTotal: 10 },
    });
    expect(result.tables).toBeGreaterThan(0);
    expect(await countsOf('bigrls', 'cm_bigrls')).toEqual(await countsOf('big', 'cm_big'));
  }, 180_000);

  it('rolls back when the dump fails to be recorded: no committed prefix, the target schema does not exist', async () => {
    await b.query('DROP SCHEMA IF EXISTS cm_bigrls CASCADE', undefined, 'bigrls');
    const { restore } = await dumpAndFollow(join(dir, 'big-follow-failed.dump'), (written) => written.then(() => Promise.reject(new Error('the SHA-256 could not be recorded'))));
    const error = await restore;
    expect(error).toBeInstanceOf(FollowedDumpFailedError);
    expect((error as Error).message).toContain('the SHA-256 could not be recorded');
    expect(await schemaExists()).toBe(false);
    const sessions = await b.query(`SELECT 1 FROM pg_stat_activity WHERE application_name LIKE 'replica-desk-restore-%'`);
    expect(sessions.rowCount).toBe(0);
  }, 180_000);
});
