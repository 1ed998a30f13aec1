// Names of CoreMedia objects as the catalog has them. Whether a table is `system` or
// "System" depends on how the schema was created, so logical names are resolved here,
// case-insensitively, and every name that goes into SQL text is quoted.
import type { ClientBase } from 'pg';
import { ReplicaDeskError } from '../errors';
import { MissingSchemaError, type DbTarget } from './connectionErrors';

export class AmbiguousTableError extends ReplicaDeskError {
  constructor(
    readonly schema: string,
    readonly logicalName: string,
    readonly candidates: string[],
  ) {
    super(
      'ambiguous-table',
      `Schema "${schema}" has several tables named "${logicalName}" in different cases: ${candidates.map((c) => `"${c}"`).join(', ')}.`,
      'Only one of them can be the CoreMedia table. Ask the DBA which one the content server uses and drop or rename the other.',
    );
  }
}

/** Quotes an identifier for SQL text, keeping its case exactly. */
export function quoteIdent(name: string): string {
  if (name.length === 0 || name.includes('\0')) throw new TypeError('an SQL identifier must be non-empty and free of NUL characters');
  return `"${name.replace(/"/g, '""')}"`;
}

export const qualified = (schema: string, table: string): string => `${quoteIdent(schema)}.${quoteIdent(table)}`;

/** Whether the schema exists; the name is matched exactly, as the profile gives it. */
export async function schemaExists(client: ClientBase, schema: string): Promise<boolean> {
  const result = await client.query('SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1', [schema]);
  return (result.rowCount ?? 0) > 0;
}

/** Throws MissingSchemaError when `db.schema` is not there. */
export async function requireSchema(client: ClientBase, db: DbTarget & { schema: string }): Promise<void> {
  if (!(await schemaExists(client, db.schema))) throw new MissingSchemaError(db, db.schema);
}

/**
 * The catalog's name of the table `logicalName` in `schema`, matched case-insensitively;
 * null when there is none. Two tables that differ only by case are ambiguous unless one
 * is exactly the lower-case name, which is what an unquoted CREATE TABLE produces.
 */
export async function resolveTableName(client: ClientBase, schema: string, logicalName: string): Promise<string | null> {
  const result = await client.query<{ relname: string }>(
    `SELECT c.relname
       FROM pg_catalog.pg_class c
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND lower(c.relname) = lower($2) AND c.relkind IN ('r', 'p')
      ORDER BY c.relname`,
    [schema, logicalName],
  );
  const names = result.rows.map((r) => r.relname);
  if (names.length <= 1) return names[0] ?? null;
  const lower = logicalName.toLowerCase();
  if (names.includes(lower)) return lower;
  throw new AmbiguousTableError(schema, logicalName, names);
}
