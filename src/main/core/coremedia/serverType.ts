// What the `system` key/value table says about a content server: publication (a Master
// Live Server) or live (a replica), and where a replica's replicator stands. `system` may
// have no unique key on property, so every read returns all rows and duplicates show.
import type { ClientBase } from 'pg';
import { ReplicaDeskError } from '../errors';
import { quoteIdent } from '../postgres/catalog';
import { resolveRepositoryTables, sqlNames, type RepositoryTables } from './repositoryTables';

export const SERVER_TYPE_PROPERTY = 'repository_server_type';
export const REPLICATOR_PROPERTIES = {
  remote: 'replicator_remote',
  local: 'replicator_local',
  tag: 'replicator_tag',
} as const;

export class ConflictingServerTypeError extends ReplicaDeskError {
  constructor(schema: string, values: string[]) {
    super(
      'conflicting-server-type',
      `Schema "${schema}" has ${values.length} ${SERVER_TYPE_PROPERTY} rows that disagree: ${values.map((v) => `'${v}'`).join(', ')}.`,
      `A content server has exactly one ${SERVER_TYPE_PROPERTY} row. Ask the DBA to find out which is right and delete the others.`,
    );
  }
}

export interface ReplicaState {
  /** The server type when every row agrees; null when there is no row or they disagree. */
  serverType: string | null;
  /** Every repository_server_type row's content, in no particular order. */
  serverTypeRows: string[];
  /** Every row's content per property, so duplicates are visible. */
  replicator: { remote: string[]; local: string[]; tag: string[] };
  licenses: number;
}

/** The content of every `system` row of each property, keyed by property. */
export async function readSystemProperties(
  client: ClientBase,
  t: RepositoryTables,
  properties: string[],
): Promise<Record<string, string[]>> {
  const s = t.system;
  const result = await client.query<{ p: string; c: string | null }>(
    `SELECT ${quoteIdent(s.property)} AS p, ${quoteIdent(s.content)}::text AS c
       FROM ${sqlNames(t).system}
      WHERE ${quoteIdent(s.property)} = ANY($1::text[])
      ORDER BY 1, 2`,
    [properties],
  );
  const byProperty: Record<string, string[]> = Object.fromEntries(properties.map((p) => [p, [] as string[]]));
  for (const row of result.rows) byProperty[row.p]?.push(row.c ?? '');
  return byProperty;
}

function agreedValue(values: string[]): string | null {
  const distinct = [...new Set(values)];
  return distinct.length === 1 ? (distinct[0] as string) : null;
}

/**
 * `repository_server_type`: 'publication' on a Master Live Server, 'live' on a replica;
 * null when the row is missing. Rows that disagree are an error, not a guess.
 */
export async function readServerType(client: ClientBase, schema: string, tables?: RepositoryTables): Promise<string | null> {
  const t = tables ?? (await resolveRepositoryTables(client, schema));
  const values = (await readSystemProperties(client, t, [SERVER_TYPE_PROPERTY]))[SERVER_TYPE_PROPERTY] ?? [];
  if (values.length === 0) return null;
  const agreed = agreedValue(values);
  if (agreed === null) throw new ConflictingServerTypeError(schema, values);
  return agreed;
}

export async function readReplicaState(client: ClientBase, schema: string, tables?: RepositoryTables): Promise<ReplicaState> {
  const t = tables ?? (await resolveRepositoryTables(client, schema));
  const p = REPLICATOR_PROPERTIES;
  const rows = await readSystemProperties(client, t, [SERVER_TYPE_PROPERTY, p.remote, p.local, p.tag]);
  const licenses = await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${sqlNames(t).cmlicenses}`);
  const serverTypeRows = rows[SERVER_TYPE_PROPERTY] ?? [];
  return {
    serverType: agreedValue(serverTypeRows),
    serverTypeRows,
    replicator: { remote: rows[p.remote] ?? [], local: rows[p.local] ?? [], tag: rows[p.tag] ?? [] },
    licenses: Number(licenses.rows[0]?.n ?? 0),
  };
}
