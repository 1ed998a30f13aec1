// The schemas a swap or a swap back set aside beside a replica's schema (names:
// postgres/swapNames.ts): listing them with their size, for the history and the preflight,
// and discarding one. A discard drops only a name the rule gives for THIS replica's schema,
// never one whose own repository_server_type says it is a master's, and never one that
// objects elsewhere depend on (DROP … CASCADE would take them along).
import type { ClientBase } from 'pg';
import { dropSchema, type DropSchemaOptions } from '../postgres/dropSchema';
import { externalDependents } from '../postgres/schemaAttachments';
import { KeptSchemaIsMasterError, NotAKeptSchemaError, SwapExternalDependentsError } from '../postgres/schemaSwapErrors';
import { parseKeptSchemaName, type KeptKind } from '../postgres/swapNames';
import { resolveRepositoryTables } from './repositoryTables';
import { SERVER_TYPE_PROPERTY, readSystemProperties } from './serverType';

export interface KeptSchema {
  name: string;
  kind: KeptKind;
  /** The run id in its name. */
  tag: string;
  /** Tables with their indexes and TOAST. */
  bytes: number;
}

/** Every kept schema of `schema` in the connected database, largest first. */
export async function listKeptSchemas(client: ClientBase, schema: string): Promise<KeptSchema[]> {
  const { rows } = await client.query<{ nspname: string; bytes: string }>(
    `SELECT n.nspname,
            (SELECT coalesce(sum(pg_catalog.pg_total_relation_size(c.oid)), 0) FROM pg_catalog.pg_class c
              WHERE c.relnamespace = n.oid AND c.relkind IN ('r', 'p', 'm'))::text AS bytes
       FROM pg_catalog.pg_namespace n WHERE n.nspname LIKE '%\\_\\_rd\\_%'`,
  );
  const kept: KeptSchema[] = [];
  for (const row of rows) {
    const parsed = parseKeptSchemaName(schema, row.nspname);
    if (parsed) kept.push({ name: row.nspname, ...parsed, bytes: Number(row.bytes) });
  }
  return kept.sort((a, b) => b.bytes - a.bytes || a.name.localeCompare(b.name));
}

/** The size of one kept schema of `schema`; null when it is not there or cannot be measured (never fails the caller). */
export async function keptSchemaBytes(client: ClientBase, schema: string, kept: string): Promise<number | null> {
  try {
    return (await listKeptSchemas(client, schema)).find((k) => k.name === kept)?.bytes ?? null;
  } catch {
    return null;
  }
}

/** Inside the drop's transaction: refuses a master's repository and a schema others depend on. */
async function refuseUnsafeDrop(client: ClientBase, kept: string): Promise<void> {
  const tables = await resolveRepositoryTables(client, kept).catch(() => null);
  if (tables) {
    const types = (await readSystemProperties(client, tables, [SERVER_TYPE_PROPERTY]))[SERVER_TYPE_PROPERTY] ?? [];
    if (types.includes('publication')) throw new KeptSchemaIsMasterError(kept);
  }
  const dependents = await externalDependents(client, kept);
  if (dependents.length > 0) throw new SwapExternalDependentsError(kept, dependents, 'drop');
}

/**
 * Drops the kept schema `kept` of the replica schema `schema`. Refuses (NotAKeptSchemaError)
 * any name that is not `schema`'s __rd_prev_<run> or __rd_undone_<run>; resolves whether it
 * existed. Identity check, lock and statement timeouts as dropSchema.
 */
export async function discardKeptSchema(client: ClientBase, schema: string, kept: string, options: Omit<DropSchemaOptions, 'beforeDrop'>): Promise<boolean> {
  if (kept === schema || !parseKeptSchemaName(schema, kept)) throw new NotAKeptSchemaError(schema, kept);
  return dropSchema(client, kept, { ...options, beforeDrop: (c) => refuseUnsafeDrop(c, kept) });
}
