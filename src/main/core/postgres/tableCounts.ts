// Exact row counts per table, the check that a restore brought everything across.
// Statistics (reltuples) are estimates and can be stale right after a restore, so this
// counts. Counts are 64-bit and stay strings.
import type { ClientBase } from 'pg';
import { qualified } from './catalog';

export interface CountProgress {
  table: string;
  done: number;
  total: number;
}

export interface CountRowsOptions {
  /** Checked between tables; a running count(*) finishes first. */
  signal?: AbortSignal;
  onProgress?: (progress: CountProgress) => void;
}

/** Table names of the schema as the catalog has them (ordinary and partitioned tables). */
export async function listTables(client: ClientBase, schema: string): Promise<string[]> {
  const result = await client.query<{ relname: string }>(
    `SELECT c.relname
       FROM pg_catalog.pg_class c
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'p')
      ORDER BY c.relname COLLATE "C"`,
    [schema],
  );
  return result.rows.map((r) => r.relname);
}

/** `count(*)` of every table of `schema`, keyed by the table's catalog name. */
export async function countRows(client: ClientBase, schema: string, options: CountRowsOptions = {}): Promise<Record<string, string>> {
  const tables = await listTables(client, schema);
  const counts: [string, string][] = [];
  for (const [i, table] of tables.entries()) {
    options.signal?.throwIfAborted();
    const result = await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${qualified(schema, table)}`);
    counts.push([table, result.rows[0]?.n ?? '0']);
    options.onProgress?.({ table, done: i + 1, total: tables.length });
  }
  // fromEntries defines own properties, so even a table named __proto__ is kept as a key.
  return Object.fromEntries(counts);
}

export interface CountMismatch {
  table: string;
  /** null: the table is missing on that side. */
  master: string | null;
  replica: string | null;
}

export interface CountComparison {
  matches: boolean;
  mismatches: CountMismatch[];
}

export function compareCounts(master: Record<string, string>, replica: Record<string, string>): CountComparison {
  const tables = [...new Set([...Object.keys(master), ...Object.keys(replica)])].sort();
  const mismatches: CountMismatch[] = [];
  for (const table of tables) {
    const m = Object.hasOwn(master, table) ? (master[table] ?? null) : null;
    const r = Object.hasOwn(replica, table) ? (replica[table] ?? null) : null;
    if (m === null || r === null || BigInt(m) !== BigInt(r)) mismatches.push({ table, master: m, replica: r });
  }
  return { matches: mismatches.length === 0, mismatches };
}

/** `article: master 120, replica 118; users: missing on the replica` — at most `limit` entries. */
export function describeMismatches(mismatches: CountMismatch[], limit = 10): string {
  const shown = mismatches.slice(0, limit).map((m) => {
    if (m.replica === null) return `${m.table}: missing on the replica (master ${m.master})`;
    if (m.master === null) return `${m.table}: not on the master (replica ${m.replica})`;
    return `${m.table}: master ${m.master}, replica ${m.replica}`;
  });
  const more = mismatches.length > limit ? `; and ${mismatches.length - limit} more` : '';
  return shown.join('; ') + more;
}
