// The changelog head: where a replica's replicator must start after a restore (steps 8–9).
// sequenceno is a bigint; above 2^53 a JavaScript number loses digits, so it travels as
// text. The text column has its own alias because `ORDER BY sequenceno` would otherwise
// bind to the text output column and sort '9' after '10'.
import type { ClientBase } from 'pg';
import { quoteIdent } from '../postgres/catalog';
import { resolveRepositoryTables, sqlNames, type RepositoryTables } from './repositoryTables';

/** CoreMedia's event code for local events, which are not replicated. */
export const LOCAL_EVENT_CODE = 15;

export interface ChangelogPosition {
  /** 64-bit, as decimal text. */
  sequenceNo: string;
  idTag: string;
}

export interface ChangelogHead extends ChangelogPosition {
  /** The newest event with code <> 15; null when every event is local. */
  lastNonLocal: ChangelogPosition | null;
  /** The newest event is a local one, so lastNonLocal differs from the head. */
  newestIsLocal: boolean;
}

/** The SQL that reads the newest event (or the newest non-local one); no parameters. */
export function newestEventSql(t: RepositoryTables, onlyNonLocal: boolean): string {
  const c = t.changelog;
  const seq = quoteIdent(c.sequenceNo);
  const code = quoteIdent(c.code);
  const where = onlyNonLocal ? ` WHERE ${code} IS DISTINCT FROM ${LOCAL_EVENT_CODE}` : '';
  return (
    `SELECT ${seq}::text AS head_seq, ${quoteIdent(c.idTag)}::text AS head_tag, ${code}::int AS head_code ` +
    `FROM ${sqlNames(t).changelog}${where} ORDER BY ${seq} DESC LIMIT 1`
  );
}

async function newestEvent(
  client: ClientBase,
  t: RepositoryTables,
  onlyNonLocal: boolean,
): Promise<(ChangelogPosition & { code: number | null }) | null> {
  const result = await client.query<{ head_seq: string; head_tag: string | null; head_code: number | null }>(newestEventSql(t, onlyNonLocal));
  const row = result.rows[0];
  return row ? { sequenceNo: row.head_seq, idTag: row.head_tag ?? '', code: row.head_code } : null;
}

/** The newest changelog event and the newest non-local one; null for an empty changelog. */
export async function readChangelogHead(client: ClientBase, schema: string, tables?: RepositoryTables): Promise<ChangelogHead | null> {
  const t = tables ?? (await resolveRepositoryTables(client, schema));
  const head = await newestEvent(client, t, false);
  if (!head) return null;
  const newestIsLocal = head.code === LOCAL_EVENT_CODE;
  const nonLocal = newestIsLocal ? await newestEvent(client, t, true) : head;
  return {
    sequenceNo: head.sequenceNo,
    idTag: head.idTag,
    lastNonLocal: nonLocal ? { sequenceNo: nonLocal.sequenceNo, idTag: nonLocal.idTag } : null,
    newestIsLocal,
  };
}

/** Orders two 64-bit sequence numbers given as text: negative, zero or positive. */
export function compareSequenceNumbers(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
