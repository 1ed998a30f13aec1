// The CoreMedia tables the restore reads and writes, by the names this schema really
// uses. Older schemas have `system`, newer manuals write `System`; columns can differ in
// case the same way. Everything is resolved case-insensitively from the catalog once,
// and each name is quoted wherever it goes into SQL.
import type { ClientBase } from 'pg';
import { ReplicaDeskError } from '../errors';
import { qualified, resolveTableName, schemaExists } from '../postgres/catalog';

export interface RepositoryTables {
  schema: string;
  system: { table: string; property: string; content: string };
  changelog: { table: string; sequenceNo: string; idTag: string; code: string };
  cmlicenses: { table: string };
}

type LogicalTable = 'system' | 'changelog' | 'cmlicenses';

export class MissingRepositoryTableError extends ReplicaDeskError {
  constructor(
    readonly schema: string,
    readonly table: LogicalTable | null,
    readonly column?: string,
  ) {
    const message =
      table === null
        ? `Schema "${schema}" does not exist, so it holds no CoreMedia repository.`
        : column
          ? `Table "${table}" in schema "${schema}" has no column "${column}", which a CoreMedia content server's table has.`
          : `Schema "${schema}" has no table "${table}" (in any case), which every CoreMedia content server's schema has.`;
    super(
      'not-a-content-server',
      message,
      `Check that the profile names the content server's own database and schema (on PostgreSQL the schema is named like the server's database user). ` +
        'If it is right, the schema was not created by a CoreMedia content server, or the restore did not complete.',
    );
  }
}

export class AmbiguousColumnError extends ReplicaDeskError {
  constructor(schema: string, table: string, candidates: string[]) {
    super(
      'ambiguous-column',
      `Table "${schema}"."${table}" has several columns that differ only by case: ${candidates.map((c) => `"${c}"`).join(', ')}.`,
      'Only one of them can be the CoreMedia column. Ask the DBA which one the content server uses and drop or rename the other.',
    );
  }
}

/** The lower-case names an unquoted CREATE gives; for plans shown before the schema exists. */
export function defaultRepositoryTables(schema: string): RepositoryTables {
  return {
    schema,
    system: { table: 'system', property: 'property', content: 'content' },
    changelog: { table: 'changelog', sequenceNo: 'sequenceno', idTag: 'idtag', code: 'code' },
    cmlicenses: { table: 'cmlicenses' },
  };
}

async function requireTable(client: ClientBase, schema: string, logical: LogicalTable): Promise<string> {
  const name = await resolveTableName(client, schema, logical);
  if (name === null) throw new MissingRepositoryTableError(schema, logical);
  return name;
}

async function columnsOf(client: ClientBase, schema: string, table: string): Promise<string[]> {
  const result = await client.query<{ attname: string }>(
    `SELECT a.attname
       FROM pg_catalog.pg_attribute a
       JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped`,
    [schema, table],
  );
  return result.rows.map((r) => r.attname);
}

// Same rule as resolveTableName: the exact lower-case name wins over other spellings.
function pickColumn(schema: string, logical: LogicalTable, table: string, columns: string[], wanted: string): string {
  const matches = columns.filter((c) => c.toLowerCase() === wanted);
  if (matches.length === 1) return matches[0] as string;
  if (matches.includes(wanted)) return wanted;
  if (matches.length === 0) throw new MissingRepositoryTableError(schema, logical, wanted);
  throw new AmbiguousColumnError(schema, table, matches);
}

export async function resolveRepositoryTables(client: ClientBase, schema: string): Promise<RepositoryTables> {
  if (!(await schemaExists(client, schema))) throw new MissingRepositoryTableError(schema, null);
  const system = await requireTable(client, schema, 'system');
  const changelog = await requireTable(client, schema, 'changelog');
  const cmlicenses = await requireTable(client, schema, 'cmlicenses');
  const systemColumns = await columnsOf(client, schema, system);
  const changelogColumns = await columnsOf(client, schema, changelog);
  return {
    schema,
    system: {
      table: system,
      property: pickColumn(schema, 'system', system, systemColumns, 'property'),
      content: pickColumn(schema, 'system', system, systemColumns, 'content'),
    },
    changelog: {
      table: changelog,
      sequenceNo: pickColumn(schema, 'changelog', changelog, changelogColumns, 'sequenceno'),
      idTag: pickColumn(schema, 'changelog', changelog, changelogColumns, 'idtag'),
      code: pickColumn(schema, 'changelog', changelog, changelogColumns, 'code'),
    },
    cmlicenses: { table: cmlicenses },
  };
}

/** Quoted, schema-qualified table names for SQL text. */
export function sqlNames(t: RepositoryTables): { system: string; changelog: string; cmlicenses: string } {
  return {
    system: qualified(t.schema, t.system.table),
    changelog: qualified(t.schema, t.changelog.table),
    cmlicenses: qualified(t.schema, t.cmlicenses.table),
  };
}
