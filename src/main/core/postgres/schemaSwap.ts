// The swap of a side-by-side restore, and the swap back of a rollback: two schema renames in
// ONE short transaction, so after any failure or kill exactly one of the two states holds.
//
//   swap       S → S__rd_prev_<tag>,    S__rd_new         → S
//   swap back  S → S__rd_undone_<tag>,  S__rd_prev_<tag>  → S        (names: swapNames.ts)
//
// What a schema rename keeps and what it does not (checked on PostgreSQL 15 by
// tests/integration/postgres/schemaSwap.test.ts with generated CoreMedia data):
//
// Bound by OID — stays with the schema OBJECT, i.e. goes aside with the old one:
//   - the schema's owner                          → must be the same (SwapOwnerMismatchError)
//   - the schema's ACL (USAGE/CREATE granted to other roles)                → carried over
//   - its comment (pg_description); a security label                        → carried / reported
//   - default privileges IN SCHEMA (pg_default_acl.defaclnamespace)         → carried over
//     (role-wide defaults, defaclnamespace = 0, already applied when the restore made the tables)
//   - the grants on its tables, views and sequences (relacl); pg_restore --no-privileges
//     restored none                                                        → carried by name
//     (column, function and type ACLs are reported in `warnings`, not carried)
//   - column defaults (nextval('s'::regclass) stores the sequence's OID), sequences owned by
//     columns (pg_depend), views (stored as parse trees of OIDs), indexes, constraints: all
//     point INSIDE the schema — the restore built them there through the renamer — so they
//     move with it and stay right; pg_get_viewdef() prints the new name after the rename.
//   - objects in OTHER schemas built on this one (views, foreign keys, triggers, publications,
//     an extension installed in it) would keep reading the set-aside schema → the swap refuses
//     (SwapExternalDependentsError); the generated CoreMedia data has none.
//   - work in progress: an open transaction or cursor holds the old tables' OIDs. The swap's
//     table locks wait for it (bounded). An IDLE session is not bound: a rename invalidates
//     cached plans, so its prepared statements, qualified or not, read the new schema on their
//     next use (tested). The content server still must be stopped (its own caches), as the
//     runner proves before the swap.
//   - planner statistics (pg_statistic by table OID): a restored table has none until it is
//     ANALYZEd — analyse the shadow schema before the swap, or the first queries plan blind.
// Bound by NAME — resolved at each use, so after the swap it means the new schema:
//   - a role's search_path (ALTER ROLE … SET search_path, stored as text), `$user` in it,
//     and a function's SET search_path clause
//   - bodies of SQL and PL/pgSQL functions (text; not SQL-standard BEGIN ATOMIC bodies)
//   - the content server's own configuration (JDBC URL, user = schema name)
//
// The test covers ownership, grants, default privileges, the comment, column-owned sequences
// and defaults, views, the role's search_path, outside views and idle sessions; the other
// lines (function bodies, publications, extensions, labels) follow PostgreSQL's documentation.
// Renaming needs ownership of both schemas and CREATE on the database: run it as the replica's role.
//
// ALTER SCHEMA … RENAME itself locks none of the schema's tables, so a session in the middle
// of a transaction on them would not stop it. The swap therefore first takes ACCESS
// EXCLUSIVE locks on every table of both schemas, bounded by lock_timeout: "someone still
// uses the schema" is a refusal, not a swap under a running server.
import type { ClientBase } from 'pg';
import { ReplicaDeskError } from '../errors';
import { quoteIdent } from './catalog';
import { readClusterIdentity } from './clusterIdentity';
import { carryOverAttachments, externalDependents, type CarriedOver } from './schemaAttachments';
import {
  SwapDeniedError,
  SwapExternalDependentsError,
  SwapInterruptedError,
  SwapNameTakenError,
  SwapOwnerMismatchError,
  SwapSchemaInUseError,
  SwapSourceMissingError,
  SwapTimedOutError,
  SwapWrongTargetError,
} from './schemaSwapErrors';
import { keptSchemaName, shadowSchemaName } from './swapNames';

export interface SwapOptions {
  /** The replica's schema: the name its content server uses. */
  schema: string;
  /** The run id; part of the kept schema's name. */
  tag: string;
  /** The cluster and database the preflight identified as the replica's. */
  expect: { systemIdentifier: string; database: string };
  /** How long to wait for the table locks. Default 10 s. */
  lockTimeoutMs?: number;
  /** How long the whole transaction may take once it has them. Default 60 s. */
  statementTimeoutMs?: number;
  /**
   * Runs in the swap's transaction once the tables are locked, before the renames; throws to
   * refuse. `live` is null when no schema has the name yet. (coremedia/replicaSwap.ts checks
   * the server types here.)
   */
  beforeRename?: (client: ClientBase, schemas: { live: string | null; incoming: string }) => Promise<void>;
}

export interface SwapResult {
  /** The name the server uses; it now names `swappedIn`'s schema. */
  schema: string;
  /** The schema that took the name (the shadow, or on a swap back the kept previous one). */
  swappedIn: string;
  /** Where the schema that had the name went; null when there was none. */
  setAside: string | null;
  /** True when an earlier call had already committed this swap (a resume): nothing was done. */
  alreadyDone: boolean;
  carriedOver: CarriedOver;
  elapsedMs: number;
}

export type SwapDirection = 'swap' | 'swap-back';
type Direction = SwapDirection;

interface Names {
  live: string;
  incoming: string;
  outgoing: string;
}

function namesFor(direction: Direction, schema: string, tag: string): Names {
  return direction === 'swap'
    ? { live: schema, incoming: shadowSchemaName(schema), outgoing: keptSchemaName(schema, 'prev', tag) }
    : { live: schema, incoming: keptSchemaName(schema, 'prev', tag), outgoing: keptSchemaName(schema, 'undone', tag) };
}

/** The two renames a swap (or swap back) runs, for the plan and the wizard to show. */
export function swapRenameSql(direction: Direction, schema: string, tag: string): string[] {
  const n = namesFor(direction, schema, tag);
  return [`ALTER SCHEMA ${quoteIdent(n.live)} RENAME TO ${quoteIdent(n.outgoing)};`, `ALTER SCHEMA ${quoteIdent(n.incoming)} RENAME TO ${quoteIdent(n.live)};`];
}

const LOCK_NOT_AVAILABLE = '55P03';
const QUERY_CANCELED = '57014';
const INSUFFICIENT_PRIVILEGE = '42501';
const DUPLICATE_SCHEMA = '42P06';

interface SchemaRow {
  nspname: string;
  owner: string;
}

async function readSchemas(client: ClientBase, names: string[]): Promise<Map<string, SchemaRow>> {
  const { rows } = await client.query<SchemaRow>(
    `SELECT nspname, pg_catalog.pg_get_userbyid(nspowner) AS owner FROM pg_catalog.pg_namespace WHERE nspname = ANY($1::text[])`,
    [names],
  );
  return new Map(rows.map((r) => [r.nspname, r]));
}

/** ACCESS EXCLUSIVE on every table of the schemas, bounded by the transaction's lock_timeout. */
async function lockTables(client: ClientBase, schemas: string[]): Promise<number> {
  const { rows } = await client.query<{ t: string }>(
    `SELECT pg_catalog.format('%I.%I', n.nspname, c.relname) AS t
       FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = ANY($1::text[]) AND c.relkind IN ('r', 'p')
      ORDER BY array_position($1::text[], n.nspname::text), c.relname`,
    [schemas],
  );
  if (rows.length > 0) await client.query(`LOCK TABLE ${rows.map((r) => r.t).join(', ')} IN ACCESS EXCLUSIVE MODE`);
  return rows.length;
}

function isConnectionLoss(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  if (e.code === '57P01' || e.code === '57P02' || e.code === '57P03' || e.code?.startsWith('08')) return true;
  return /Connection terminated|connection.*(closed|ended)|ECONNRESET|EPIPE|Client was closed/i.test(e.message ?? '');
}

async function renamePair(client: ClientBase, direction: Direction, options: SwapOptions): Promise<SwapResult> {
  const started = Date.now();
  const n = namesFor(direction, options.schema, options.tag);
  const lockTimeoutMs = options.lockTimeoutMs ?? 10_000;
  const statementTimeoutMs = options.statementTimeoutMs ?? 60_000;
  const noCarry: CarriedOver = { statements: [], warnings: [] };
  await client.query('BEGIN');
  try {
    const actual = await readClusterIdentity(client);
    if (actual.systemIdentifier !== options.expect.systemIdentifier || actual.database !== options.expect.database) {
      throw new SwapWrongTargetError(n.live, options.expect, actual);
    }
    await client.query(`SELECT pg_catalog.set_config('lock_timeout', $1, true), pg_catalog.set_config('statement_timeout', $2, true)`, [
      `${lockTimeoutMs}ms`,
      `${statementTimeoutMs}ms`,
    ]);
    const before = await readSchemas(client, [n.live, n.incoming, n.outgoing]);
    const live = before.get(n.live);
    const incoming = before.get(n.incoming);
    if (live && !incoming && before.has(n.outgoing)) {
      // An earlier call committed and was cut off before it could report: the swap holds.
      await client.query('COMMIT');
      return { schema: n.live, swappedIn: n.incoming, setAside: n.outgoing, alreadyDone: true, carriedOver: noCarry, elapsedMs: Date.now() - started };
    }
    if (!incoming) throw new SwapSourceMissingError(n.live, n.incoming, direction === 'swap' ? 'shadow' : 'kept');
    if (live && before.has(n.outgoing)) throw new SwapNameTakenError(n.live, n.outgoing);
    if (live && live.owner !== incoming.owner) throw new SwapOwnerMismatchError(n.live, n.incoming, live.owner, incoming.owner);

    await lockTables(client, live ? [n.live, n.incoming] : [n.incoming]);
    await options.beforeRename?.(client, { live: live ? n.live : null, incoming: n.incoming });
    if (live) {
      const dependents = await externalDependents(client, n.live);
      if (dependents.length > 0) throw new SwapExternalDependentsError(n.live, dependents, 'rename');
      await client.query(`ALTER SCHEMA ${quoteIdent(n.live)} RENAME TO ${quoteIdent(n.outgoing)}`);
    }
    await client.query(`ALTER SCHEMA ${quoteIdent(n.incoming)} RENAME TO ${quoteIdent(n.live)}`);
    const carriedOver = live ? await carryOverAttachments(client, n.outgoing, n.live) : noCarry;
    await client.query('COMMIT');
    return { schema: n.live, swappedIn: n.incoming, setAside: live ? n.outgoing : null, alreadyDone: false, carriedOver, elapsedMs: Date.now() - started };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    if (error instanceof ReplicaDeskError) throw error;
    const code = (error as { code?: string }).code;
    if (code === LOCK_NOT_AVAILABLE) throw new SwapSchemaInUseError(n.live, lockTimeoutMs, error);
    if (code === QUERY_CANCELED) throw new SwapTimedOutError(n.live, statementTimeoutMs, error);
    if (code === DUPLICATE_SCHEMA) throw new SwapNameTakenError(n.live, n.outgoing);
    if (code === INSUFFICIENT_PRIVILEGE) {
      const user = await client.query<{ u: string }>('SELECT current_user AS u').then((r) => r.rows[0]?.u ?? '?', () => '?');
      throw new SwapDeniedError(n.live, user, (error as Error).message, error);
    }
    if (isConnectionLoss(error)) throw new SwapInterruptedError(n.live, error);
    throw error;
  }
}

/**
 * The swap: `schema` → `schema__rd_prev_<tag>` and `schema__rd_new` → `schema`, carrying
 * over what belongs to the name. Refuses (SwapSourceMissingError, SwapNameTakenError,
 * SwapSchemaInUseError, …) with nothing changed. Called again after it committed, it
 * reports alreadyDone. Without a schema of that name yet, the shadow just takes the name.
 */
export function swapInShadow(client: ClientBase, options: SwapOptions): Promise<SwapResult> {
  return renamePair(client, 'swap', options);
}

/**
 * The swap back of a rollback: `schema` → `schema__rd_undone_<tag>` and
 * `schema__rd_prev_<tag>` → `schema`, with the same guarantees as swapInShadow.
 */
export function swapBack(client: ClientBase, options: SwapOptions): Promise<SwapResult> {
  return renamePair(client, 'swap-back', options);
}

export interface SwapState {
  live: boolean;
  shadow: boolean;
  prev: boolean;
  undone: boolean;
}

/** Which of the schemas of a run exist now: what a resume or the preflight decides on. */
export async function readSwapState(client: ClientBase, schema: string, tag: string): Promise<SwapState> {
  const names = { live: schema, shadow: shadowSchemaName(schema), prev: keptSchemaName(schema, 'prev', tag), undone: keptSchemaName(schema, 'undone', tag) };
  const found = await readSchemas(client, Object.values(names));
  return { live: found.has(names.live), shadow: found.has(names.shadow), prev: found.has(names.prev), undone: found.has(names.undone) };
}
