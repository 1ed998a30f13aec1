// A simulated CoreMedia content-server database (see /work/shared/reference/coremedia-restore.md):
// a role that owns a schema of the same name, with the tables the restore procedure reads
// and writes (system, changelog, cmlicenses) and enough of the rest (resources, content
// types, blobs, users and groups, a sequence, indexes, foreign keys) that a dump and a
// restore of it meet what a real one has. Bulk data is made server-side with
// generate_series, so a few hundred MB take seconds, not minutes. The sandbox generates its
// master with it (with progress and cancellation); the tests' harness re-exports it.
import type pg from 'pg';
import { CancelledError, throwIfAborted } from '../cancellation';
import { qualified, quoteIdent } from '../postgres/catalog';

/** The cluster to create the database in, as superuser (the tests' PgCluster is one). */
export interface ContentServerCluster {
  superuser: string;
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params?: unknown[], database?: string): Promise<pg.QueryResult<R>>;
  connect(options?: { database?: string; user?: string; password?: string }): Promise<pg.Client>;
}

export interface ContentServerOptions {
  layout: 'database-per-server' | 'shared-database';
  database: string;
  /** The server's database role; its schema has the same name. */
  role: string;
  password: string;
  serverType: 'publication' | 'live';
  /** Roughly how many MB of data; 0 (default) is a tiny database. */
  sizeMb?: number;
  /**
   * How sizeMb is made up. 'text' (default, the original shape): nearly all blobs, short
   * articles. 'media': a media-heavy installation, about 1/2 incompressible bytea and 1/4
   * article text by size (the rest is rows, indexes and the changelog).
   */
  shape?: 'text' | 'media';
  /** Creates "System", "ChangeLog" and "CmLicenses" quoted, as newer manuals spell them. */
  mixedCaseTables?: boolean;
  /** Default 50 plus 10 per MB. */
  changelogEntries?: number;
  /** Adds replicator_remote/_local/_tag rows, as on a server once restored from a replica. */
  withReplicatorRows?: boolean;
  /** Makes the newest changelog event a local one (code 15). */
  localEventAtHead?: boolean;
  /** Starts sequence numbers above 2^53, where a JavaScript number loses digits. */
  largeSequenceNumbers?: boolean;
  /** Gives system a primary key on property (default true); without it duplicates can exist. */
  systemPrimaryKey?: boolean;
  /** How far the bulk data is, in MB of sizeMb (a few times per second at most). */
  onProgress?: (doneMb: number, totalMb: number) => void;
  /** Cancels the running query (pg_cancel_backend) and throws CancelledError; nothing is committed. */
  signal?: AbortSignal;
}

export interface ChangelogPosition {
  sequenceNo: string;
  idTag: string;
}

export interface ContentServerDatabase {
  database: string;
  schema: string;
  role: string;
  changelogHead: ChangelogPosition;
  /** The newest event with code != 15; equals changelogHead unless localEventAtHead. */
  lastNonLocalEvent: ChangelogPosition;
  /** Row count per table, keyed by the table's name as created (e.g. "System" or "system"). */
  tableRowCounts: Record<string, number>;
  /** Logical (lower-case) name → name as created. */
  tableNames: Record<string, string>;
}

/** 2^53 + 1: the first integer a double cannot hold. */
const LARGE_SEQUENCE_BASE = '9007199254740993';
const LOCAL_EVENT_CODE = 15;
const BLOB_BYTES = 256 * 1024;
/** Bytes of blobs per INSERT: progress and cancellation points. */
const BATCH_BYTES = 4 * 1024 * 1024;

const LOGICAL_TABLES = ['system', 'changelog', 'cmlicenses', 'resources', 'article', 'picture', 'blobdata', 'users', 'groups', 'groupmembers'] as const;
type LogicalTable = (typeof LOGICAL_TABLES)[number];

function tableNamesFor(mixedCase: boolean): Record<LogicalTable, string> {
  const names = Object.fromEntries(LOGICAL_TABLES.map((t) => [t, t])) as Record<LogicalTable, string>;
  if (mixedCase) Object.assign(names, { system: 'System', changelog: 'ChangeLog', cmlicenses: 'CmLicenses' });
  return names;
}

const quoteLiteral = (text: string): string => `'${text.replace(/'/g, "''")}'`;

async function ensureRoleAndDatabase(cluster: ContentServerCluster, o: ContentServerOptions): Promise<void> {
  const role = await cluster.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [o.role]);
  await cluster.query(`${role.rowCount ? 'ALTER' : 'CREATE'} ROLE ${quoteIdent(o.role)} LOGIN PASSWORD ${quoteLiteral(o.password)}`);
  const db = await cluster.query('SELECT 1 FROM pg_database WHERE datname = $1', [o.database]);
  if (!db.rowCount) await cluster.query(`CREATE DATABASE ${quoteIdent(o.database)} OWNER ${quoteIdent(o.layout === 'database-per-server' ? o.role : cluster.superuser)}`);
  await cluster.query(`CREATE SCHEMA ${quoteIdent(o.role)} AUTHORIZATION ${quoteIdent(o.role)}`, undefined, o.database);
}

async function createTables(client: pg.Client, schema: string, t: Record<LogicalTable, string>, systemPrimaryKey: boolean): Promise<void> {
  const q = (table: LogicalTable): string => qualified(schema, t[table]);
  const sequence = qualified(schema, 'resource_id_seq');
  await client.query(`
    CREATE SEQUENCE ${sequence};
    CREATE TABLE ${q('system')} (property varchar(255) NOT NULL${systemPrimaryKey ? ' PRIMARY KEY' : ''}, content varchar(2000));
    CREATE TABLE ${q('changelog')} (
      sequenceno bigint PRIMARY KEY, idtag varchar(64) NOT NULL, code integer NOT NULL,
      resourceid bigint, version integer, userid integer, eventdate timestamptz NOT NULL);
    CREATE INDEX ${quoteIdent(`${t.changelog}_resourceid_idx`)} ON ${q('changelog')} (resourceid);
    CREATE TABLE ${q('cmlicenses')} (id integer PRIMARY KEY, licensetype varchar(64), licensedata text);
    CREATE TABLE ${q('resources')} (
      id bigint PRIMARY KEY DEFAULT nextval('${sequence}'), name varchar(255) NOT NULL,
      folderid bigint, documenttype varchar(64), isfolder boolean NOT NULL DEFAULT false);
    CREATE TABLE ${q('blobdata')} (id bigint PRIMARY KEY, mimetype varchar(64) NOT NULL, data bytea NOT NULL);
    ALTER TABLE ${q('blobdata')} ALTER COLUMN data SET STORAGE EXTERNAL;
    CREATE TABLE ${q('article')} (id bigint REFERENCES ${q('resources')}, version integer NOT NULL, title text, body text, PRIMARY KEY (id, version));
    CREATE TABLE ${q('picture')} (id bigint REFERENCES ${q('resources')}, version integer NOT NULL, caption text, blobid bigint REFERENCES ${q('blobdata')}, PRIMARY KEY (id, version));
    CREATE TABLE ${q('users')} (id integer PRIMARY KEY, name varchar(255) NOT NULL UNIQUE, passwordhash varchar(255));
    CREATE TABLE ${q('groups')} (id integer PRIMARY KEY, name varchar(255) NOT NULL UNIQUE);
    CREATE TABLE ${q('groupmembers')} (groupid integer REFERENCES ${q('groups')}, userid integer REFERENCES ${q('users')}, PRIMARY KEY (groupid, userid));
  `);
}

interface Volumes {
  documents: number;
  /** Characters of each article body. */
  bodyChars: number;
  blobs: number;
  blobBytes: number;
  users: number;
  changelog: number;
}

function volumesFor(o: ContentServerOptions): Volumes {
  const mb = Math.max(0, o.sizeMb ?? 0);
  const media = o.shape === 'media';
  const blobs = mb === 0 ? 10 : Math.max(1, Math.round(((media ? 0.5 : 1) * mb * 1024 * 1024) / BLOB_BYTES));
  // media: 1/4 of the size as article text, 4 KiB bodies, two versions of every other document.
  const mediaBodyChars = 4096;
  return {
    documents: media ? 20 + Math.round((0.25 * mb * 1024 * 1024) / mediaBodyChars) : 20 + Math.round(mb * 10),
    bodyChars: media ? mediaBodyChars : 0,
    blobs,
    blobBytes: mb === 0 ? 1024 : BLOB_BYTES,
    users: 5 + Math.round(mb / 10),
    changelog: o.changelogEntries ?? 50 + Math.round(mb * 10),
  };
}

async function fillTables(
  client: pg.Client,
  schema: string,
  t: Record<LogicalTable, string>,
  o: ContentServerOptions,
  v: Volumes,
  progress: (blobShare: number) => void,
): Promise<void> {
  const q = (table: LogicalTable): string => qualified(schema, t[table]);
  const sequence = qualified(schema, 'resource_id_seq');
  // Folders first (ids 1..5), then documents, alternating Article and Picture.
  await client.query(`INSERT INTO ${q('resources')} (name, isfolder) SELECT 'folder-' || g, true FROM generate_series(1, 5) g`);
  await client.query(
    `INSERT INTO ${q('resources')} (name, folderid, documenttype)
     SELECT 'document-' || g, 1 + g % 5, CASE WHEN g % 2 = 0 THEN 'Article' ELSE 'Picture' END FROM generate_series(1, $1::int) g`,
    [v.documents],
  );
  await client.query(`SELECT setval('${sequence}', (SELECT max(id) FROM ${q('resources')}))`);
  // One random MiB, sliced at varying offsets: incompressible in the table and in a dump,
  // yet made by a single query. Storage EXTERNAL keeps PostgreSQL from trying to compress it.
  // Made in batches, so that progress can be told and a cancel lands between them.
  await client.query(
    `CREATE TEMP TABLE content_server_chunk ON COMMIT DROP AS
     SELECT decode(string_agg(md5($1 || ':' || g), ''), 'hex') AS bytes FROM generate_series(1, 65536) g`,
    [o.role],
  );
  const batch = Math.max(1, Math.floor((BATCH_BYTES / v.blobBytes)));
  for (let first = 1; first <= v.blobs; first += batch) {
    throwIfAborted(o.signal);
    await client.query(
      `INSERT INTO ${q('blobdata')} (id, mimetype, data)
       SELECT g, 'image/jpeg', substring(chunk.bytes FROM 1 + (g * 7919) % (1048576 - $3::int) FOR $3::int)
         FROM content_server_chunk chunk, generate_series($1::int, $2::int) g`,
      [first, Math.min(v.blobs, first + batch - 1), v.blobBytes],
    );
    progress(Math.min(v.blobs, first + batch - 1) / v.blobs);
  }
  await client.query(
    `INSERT INTO ${q('article')} (id, version, title, body)
     SELECT r.id, ver, 'Article ' || r.id || ' v' || ver,
            CASE WHEN $1::int = 0 THEN repeat('Lorem ipsum dolor sit amet. ', 20)
                 -- prose-like text: compressible, but not one repeated phrase
                 ELSE left(repeat('Lorem ipsum ' || md5(r.id || ':' || ver) || ' dolor sit amet, ' || r.id || ' consectetur. ', $1::int / 60 + 1), $1::int) END
       FROM ${q('resources')} r, generate_series(1, 2) ver WHERE r.documenttype = 'Article'`,
    [v.bodyChars],
  );
  await client.query(
    `INSERT INTO ${q('picture')} (id, version, caption, blobid)
     SELECT r.id, 1, 'Picture ' || r.id, 1 + r.id % $1::int FROM ${q('resources')} r WHERE r.documenttype = 'Picture'`,
    [v.blobs],
  );
  await client.query(`INSERT INTO ${q('users')} (id, name, passwordhash) SELECT g, 'user' || g, md5('user' || g) FROM generate_series(1, $1::int) g`, [v.users]);
  await client.query(`INSERT INTO ${q('groups')} (id, name) VALUES (1, 'administratoren'), (2, 'editors'), (3, 'publishers')`);
  await client.query(`INSERT INTO ${q('groupmembers')} (groupid, userid) SELECT 1 + g % 3, g FROM generate_series(1, $1::int) g`, [v.users]);
  await client.query(
    `INSERT INTO ${q('cmlicenses')} (id, licensetype, licensedata) VALUES
       (1, 'content-server', 'license for ' || $1), (2, 'concurrent-users', 'license for ' || $1), (3, 'webdav', 'license for ' || $1)`,
    [o.role],
  );

  // Local events (code 15) are sprinkled through the log; the head is one only on request.
  const base = o.largeSequenceNumbers ? LARGE_SEQUENCE_BASE : '1';
  await client.query(
    `INSERT INTO ${q('changelog')} (sequenceno, idtag, code, resourceid, version, userid, eventdate)
     SELECT $1::bigint + g - 1, substr(md5($2 || ':' || g), 1, 24),
            CASE WHEN g = $3::int THEN $4::int WHEN g % 10 = 0 THEN ${LOCAL_EVENT_CODE} ELSE 1 + g % 7 END,
            1 + g % $5::int, 1, 1 + g % $6::int, now() - ($3::int - g) * interval '1 minute'
       FROM generate_series(1, $3::int) g`,
    [base, o.role, v.changelog, o.localEventAtHead ? LOCAL_EVENT_CODE : 3, v.documents + 5, v.users],
  );

  const system: [string, string][] = [
    ['repository_server_type', o.serverType],
    ['repository_id', `sim-${o.role}`],
    ['db_version', '12.2412'],
  ];
  if (o.withReplicatorRows && v.changelog > 0) {
    const old = await client.query<{ seq: string; idtag: string }>(
      `SELECT sequenceno::text AS seq, idtag FROM ${q('changelog')} ORDER BY sequenceno OFFSET $1 LIMIT 1`,
      [Math.floor(v.changelog / 2)],
    );
    const row = old.rows[0];
    if (row) system.push(['replicator_remote', row.seq], ['replicator_local', row.seq], ['replicator_tag', row.idtag]);
  }
  await client.query(
    `INSERT INTO ${q('system')} (property, content) SELECT * FROM unnest($1::text[], $2::text[])`,
    [system.map(([p]) => p), system.map(([, c]) => c)],
  );
}

async function readPosition(client: pg.Client, table: string, where: string): Promise<ChangelogPosition> {
  // The text column gets its own alias: named `sequenceno`, it would make ORDER BY sort text.
  const result = await client.query<{ seq: string; idtag: string }>(
    `SELECT sequenceno::text AS seq, idtag FROM ${table} ${where} ORDER BY sequenceno DESC LIMIT 1`,
  );
  const row = result.rows[0];
  return row ? { sequenceNo: row.seq, idTag: row.idtag } : { sequenceNo: '0', idTag: '' };
}

export async function createContentServer(cluster: ContentServerCluster, options: ContentServerOptions): Promise<ContentServerDatabase> {
  const o = { ...options };
  const schema = o.role;
  const names = tableNamesFor(o.mixedCaseTables ?? false);
  const volumes = volumesFor(o);
  const totalMb = Math.max(0, o.sizeMb ?? 0);
  // The blobs are nearly all of a 'text' database, half of a 'media' one (its articles come after).
  const blobShare = o.shape === 'media' ? 0.5 : 0.95;
  const progress = (blobsDone: number): void => o.onProgress?.(Math.round(totalMb * blobShare * blobsDone * 10) / 10, totalMb);
  throwIfAborted(o.signal);
  await ensureRoleAndDatabase(cluster, o);

  // The role creates its own tables, so it owns them, as on a real installation.
  const client = await cluster.connect({ database: o.database, user: o.role, password: o.password });
  const stopCancel = cancelOnAbort(cluster, client, o.database, o.signal);
  try {
    await client.query('BEGIN');
    await createTables(client, schema, names, o.systemPrimaryKey ?? true);
    await fillTables(client, schema, names, o, volumes, progress);
    throwIfAborted(o.signal);
    await client.query('COMMIT');
    o.onProgress?.(totalMb, totalMb);
    await client.query(`ANALYZE ${LOGICAL_TABLES.map((t) => qualified(schema, names[t])).join(', ')}`);

    const changelog = qualified(schema, names.changelog);
    const tableRowCounts: Record<string, number> = {};
    for (const logical of LOGICAL_TABLES) {
      const result = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${qualified(schema, names[logical])}`);
      tableRowCounts[names[logical]] = Number(result.rows[0]?.n ?? 0);
    }
    return {
      database: o.database,
      schema,
      role: o.role,
      changelogHead: await readPosition(client, changelog, ''),
      lastNonLocalEvent: await readPosition(client, changelog, `WHERE code <> ${LOCAL_EVENT_CODE}`),
      tableRowCounts,
      tableNames: { ...names },
    };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    if (o.signal?.aborted) throw new CancelledError(undefined, { cause: error });
    throw error;
  } finally {
    stopCancel();
    await client.end();
  }
}

/** On abort, cancels the client's running query from a second (superuser) session. */
function cancelOnAbort(cluster: ContentServerCluster, client: pg.Client, database: string, signal: AbortSignal | undefined): () => void {
  if (!signal) return () => undefined;
  const backendPid = (client as unknown as { processID?: number }).processID;
  const onAbort = (): void => {
    if (backendPid) void cluster.query('SELECT pg_cancel_backend($1)', [backendPid], database).catch(() => undefined);
  };
  signal.addEventListener('abort', onAbort, { once: true });
  return () => signal.removeEventListener('abort', onAbort);
}
