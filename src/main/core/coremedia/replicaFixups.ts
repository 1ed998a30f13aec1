// Steps 8–11 of the procedure, which turn a restored copy of the master into a replica:
// position the replicator at the changelog head, drop the master's licenses, and make
// the server type 'live'. One transaction: either the replica gets all of it or nothing.
import type { ClientBase } from 'pg';
import { ReplicaDeskError } from '../errors';
import { quoteIdent } from '../postgres/catalog';
import { newestEventSql, readChangelogHead, type ChangelogHead, type ChangelogPosition } from './changelog';
import { resolveRepositoryTables, sqlNames, type RepositoryTables } from './repositoryTables';
import { REPLICATOR_PROPERTIES, SERVER_TYPE_PROPERTY, readReplicaState } from './serverType';

export class ServerTypeUpdateError extends ReplicaDeskError {
  constructor(
    readonly schema: string,
    readonly count: number,
    readonly serverTypeRows: string[],
  ) {
    const found = serverTypeRows.length === 0 ? 'no such row' : serverTypeRows.map((v) => `'${v}'`).join(', ');
    super(
      'server-type-update',
      `Setting ${SERVER_TYPE_PROPERTY} to 'live' in schema "${schema}" changed ${count} rows instead of exactly 1 ` +
        `(found: ${found}). The fix-ups were rolled back; nothing changed.`,
      count === 0
        ? `No row said 'publication'. Either the backup was not taken from a Master Live Server (check which schema the master profile names), ` +
            `or this replica's fix-ups already ran (compare its replicator settings with its changelog head before running them again).`
        : `The restored ${SERVER_TYPE_PROPERTY} row is duplicated, so the master's own system table has duplicates. ` +
            `Ask the DBA to leave exactly one ${SERVER_TYPE_PROPERTY} row on the master, then take a new backup.`,
    );
  }
}

export class EmptyChangelogError extends ReplicaDeskError {
  constructor(readonly schema: string) {
    super(
      'empty-changelog',
      `The changelog in schema "${schema}" is empty, so there is no position to start the replicator at. The fix-ups changed nothing.`,
      'A Master Live Server that has ever received a publication has changelog entries. Check that the backup came from the right schema and that the restore finished.',
    );
  }
}

export class ReplicatorSettingsError extends ReplicaDeskError {
  constructor(schema: string, counts: Record<string, number>) {
    super(
      'replicator-settings',
      `After writing the replicator settings in schema "${schema}", the rows per property were ` +
        `${Object.entries(counts).map(([p, n]) => `${p}: ${n}`).join(', ')} instead of one each. The fix-ups were rolled back.`,
      'Something in the database (a trigger or rule on the system table) changes what is written. Ask the DBA to look at the system table.',
    );
  }
}

const LOCK_NOT_AVAILABLE = '55P03';
const QUERY_CANCELED = '57014';

/** How long the fix-ups wait for a lock on the replica's tables, by default. */
export const DEFAULT_FIXUP_LOCK_TIMEOUT_MS = 30_000;
/** How long one fix-up statement may run, by default: they touch a handful of rows, but the license DELETE may be large. */
export const DEFAULT_FIXUP_STATEMENT_TIMEOUT_MS = 5 * 60_000;

/** A fix-up statement waited too long for a lock or ran too long; everything was rolled back. */
export class FixupTimeoutError extends ReplicaDeskError {
  constructor(
    readonly schema: string,
    readonly kind: 'lock' | 'statement',
    readonly timeoutMs: number,
    holders: string[] = [],
    cause?: unknown,
  ) {
    const seconds = Math.round(timeoutMs / 100) / 10;
    const who = holders.length > 0 ? ` Holding locks there: ${holders.join('; ')}.` : '';
    super(
      kind === 'lock' ? 'fixup-lock-timeout' : 'fixup-statement-timeout',
      kind === 'lock'
        ? `The fix-ups in schema "${schema}" waited ${seconds} s for a lock on the replica's tables and gave up; they were rolled back, nothing changed.${who}`
        : `A fix-up statement in schema "${schema}" ran longer than ${seconds} s and was cancelled; the fix-ups were rolled back, nothing changed.`,
      kind === 'lock'
        ? 'Another session uses the replica\'s tables: most likely the replica server itself, or a DBA\'s open transaction. ' +
          'Stop it or let it finish (pg_stat_activity and pg_locks on the replica\'s database show it), then resume the run: replica-desk runs resume RUN_ID.'
        : 'The replica database server may be overloaded or its disk slow. Check it (pg_stat_activity, its log), then resume the run: replica-desk runs resume RUN_ID.',
      { cause },
    );
  }
}

export interface ReplicaFixupOptions {
  signal?: AbortSignal;
  /** lock_timeout for the fix-ups' transaction; default DEFAULT_FIXUP_LOCK_TIMEOUT_MS. */
  lockTimeoutMs?: number;
  /** statement_timeout for each fix-up statement; default DEFAULT_FIXUP_STATEMENT_TIMEOUT_MS. */
  statementTimeoutMs?: number;
}

export interface ReplicaFixupResult {
  changelog: ChangelogHead;
  /** replicator_* rows the restored data already held (a master once recovered from a replica). */
  replicatorRowsBefore: number;
  licensesDeleted: number;
}

export interface FixupStatement {
  purpose: string;
  sql: string;
}

const REPLICATOR_LIST = Object.values(REPLICATOR_PROPERTIES)
  .map((p) => `'${p}'`)
  .join(', ');

// The statements as run; $1 is the head's sequence number and $2 its idtag.
function statementsFor(t: RepositoryTables) {
  const n = sqlNames(t);
  const property = quoteIdent(t.system.property);
  const content = quoteIdent(t.system.content);
  const r = REPLICATOR_PROPERTIES;
  return {
    readHead: newestEventSql(t, false),
    readNonLocalHead: newestEventSql(t, true),
    countReplicatorRows: `SELECT count(*)::int AS n FROM ${n.system} WHERE ${property} IN (${REPLICATOR_LIST})`,
    deleteReplicatorRows: `DELETE FROM ${n.system} WHERE ${property} IN (${REPLICATOR_LIST})`,
    insertReplicatorRows:
      `INSERT INTO ${n.system} (${property}, ${content}) ` +
      `VALUES ('${r.remote}', $1), ('${r.local}', $1), ('${r.tag}', $2)`,
    checkReplicatorRows:
      `SELECT ${property} AS p, count(*)::int AS n FROM ${n.system} WHERE ${property} IN (${REPLICATOR_LIST}) GROUP BY ${property}`,
    deleteLicenses: `DELETE FROM ${n.cmlicenses}`,
    updateServerType:
      `UPDATE ${n.system} SET ${content} = 'live' ` +
      `WHERE ${property} = '${SERVER_TYPE_PROPERTY}' AND ${content} = 'publication'`,
  };
}

const sqlLiteral = (text: string): string => `'${text.replace(/'/g, "''")}'`;

/**
 * The fix-up SQL for a plan display. Where the run passes the changelog head as a
 * parameter, the text shows its value when `head` is given, else a named placeholder.
 */
export function fixupStatements(tables: RepositoryTables, head?: ChangelogPosition): FixupStatement[] {
  const s = statementsFor(tables);
  const seq = head ? sqlLiteral(head.sequenceNo) : '<changelog head sequenceno>';
  const tag = head ? sqlLiteral(head.idTag) : '<changelog head idtag>';
  return [
    { purpose: 'Start one transaction for all fix-ups', sql: 'BEGIN' },
    { purpose: 'Read the changelog head (step 8)', sql: s.readHead },
    { purpose: 'Read the newest non-local event, when the head is a local one', sql: s.readNonLocalHead },
    { purpose: 'Count replicator rows the backup already holds', sql: s.countReplicatorRows },
    { purpose: 'Remove them, duplicates included (step 9)', sql: s.deleteReplicatorRows },
    { purpose: 'Write the replicator settings (step 9)', sql: s.insertReplicatorRows.replace(/\$1/g, seq).replace(/\$2/g, tag) },
    { purpose: 'Check that exactly one row per replicator property remains', sql: s.checkReplicatorRows },
    { purpose: 'Empty the licenses (step 10)', sql: s.deleteLicenses },
    { purpose: 'Set the server type; must change exactly 1 row (step 11)', sql: s.updateServerType },
    { purpose: 'Commit; any failure above rolls everything back', sql: 'COMMIT' },
  ];
}

/** Who else holds a lock on a relation of `schema` (for the lock-timeout message); best effort. */
async function lockHolders(client: ClientBase, schema: string): Promise<string[]> {
  try {
    const { rows } = await client.query<{ d: string }>(
      `SELECT DISTINCT 'pid ' || a.pid || ' (' || coalesce(a.usename, '?') || ', ' || coalesce(nullif(a.application_name, ''), 'no application name') || ', ' || coalesce(a.state, '?') || ')' AS d
         FROM pg_catalog.pg_locks l
         JOIN pg_catalog.pg_class c ON c.oid = l.relation
         JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid
        WHERE l.granted AND l.pid <> pg_catalog.pg_backend_pid() AND c.relnamespace = (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = $1)
        ORDER BY 1 LIMIT 5`,
      [schema],
    );
    return rows.map((r) => r.d);
  } catch {
    return [];
  }
}

/**
 * Runs steps 8–11 on the replica in one transaction, with a lock_timeout and a
 * statement_timeout of its own (SET LOCAL: they end with it). Throws EmptyChangelogError,
 * ReplicatorSettingsError, ServerTypeUpdateError or FixupTimeoutError after rolling back;
 * an abort through `signal` rolls back too.
 */
export async function applyReplicaFixups(client: ClientBase, schema: string, options: ReplicaFixupOptions = {}): Promise<ReplicaFixupResult> {
  const { signal } = options;
  const lockTimeoutMs = options.lockTimeoutMs ?? DEFAULT_FIXUP_LOCK_TIMEOUT_MS;
  const statementTimeoutMs = options.statementTimeoutMs ?? DEFAULT_FIXUP_STATEMENT_TIMEOUT_MS;
  signal?.throwIfAborted();
  const t = await resolveRepositoryTables(client, schema);
  const s = statementsFor(t);
  await client.query('BEGIN');
  try {
    // A replica server still running (or a DBA's open transaction) must not make the run wait forever.
    await client.query(`SELECT pg_catalog.set_config('lock_timeout', $1, true), pg_catalog.set_config('statement_timeout', $2, true)`, [
      `${Math.max(0, Math.round(lockTimeoutMs))}ms`,
      `${Math.max(0, Math.round(statementTimeoutMs))}ms`,
    ]);
    const head = await readChangelogHead(client, schema, t);
    if (!head) throw new EmptyChangelogError(schema);
    signal?.throwIfAborted();

    const before = await client.query<{ n: number }>(s.countReplicatorRows);
    await client.query(s.deleteReplicatorRows);
    await client.query(s.insertReplicatorRows, [head.sequenceNo, head.idTag]);
    const after = await client.query<{ p: string; n: number }>(s.checkReplicatorRows);
    const counts: Record<string, number> = Object.fromEntries(Object.values(REPLICATOR_PROPERTIES).map((p) => [p, 0]));
    for (const row of after.rows) counts[row.p] = row.n;
    if (Object.values(counts).some((n) => n !== 1)) throw new ReplicatorSettingsError(schema, counts);
    signal?.throwIfAborted();

    const licenses = await client.query(s.deleteLicenses);
    const update = await client.query(s.updateServerType);
    if (update.rowCount !== 1) {
      const state = await readReplicaState(client, schema, t);
      throw new ServerTypeUpdateError(schema, update.rowCount ?? 0, state.serverTypeRows);
    }
    signal?.throwIfAborted();
    await client.query('COMMIT');
    return { changelog: head, replicatorRowsBefore: before.rows[0]?.n ?? 0, licensesDeleted: licenses.rowCount ?? 0 };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    const code = (error as { code?: unknown } | null)?.code;
    if (code === LOCK_NOT_AVAILABLE) throw new FixupTimeoutError(schema, 'lock', lockTimeoutMs, await lockHolders(client, schema), error);
    if (code === QUERY_CANCELED && /statement timeout/i.test((error as Error).message)) throw new FixupTimeoutError(schema, 'statement', statementTimeoutMs, [], error);
    throw error;
  }
}

/**
 * Whether a replica already carries the fix-ups for its own changelog head: one 'live'
 * row, one row per replicator property matching the head, no licenses. A resumed run
 * uses it to skip the step instead of failing on the server-type UPDATE.
 */
export async function replicaFixupsApplied(client: ClientBase, schema: string): Promise<boolean> {
  const t = await resolveRepositoryTables(client, schema);
  const head = await readChangelogHead(client, schema, t);
  if (!head) return false;
  const state = await readReplicaState(client, schema, t);
  const one = (values: string[], expected: string): boolean => values.length === 1 && values[0] === expected;
  return (
    one(state.serverTypeRows, 'live') &&
    one(state.replicator.remote, head.sequenceNo) &&
    one(state.replicator.local, head.sequenceNo) &&
    one(state.replicator.tag, head.idTag) &&
    state.licenses === 0
  );
}
