// Who else is connected: the proof, beside the stop command's word, that a replica server
// has really let go of its database before anything drops it.
//
// Visibility: pg_stat_activity lists every backend to every user, but for sessions of
// another role (unless the checker is a superuser or has pg_read_all_stats) only pid,
// datname, usename and application_name are filled; client_addr, backend_start, state and
// backend_type come back NULL (checked on PostgreSQL 15). So a check made as the
// replica's own user sees its sessions in full, and a check made as another user still
// finds them, with fewer details (`detailsHidden`).
import type { ClientBase } from 'pg';

export interface OtherSession {
  pid: number;
  applicationName: string;
  /** NULL for Unix-socket connections, and when the details are hidden. */
  clientAddr: string | null;
  /** ISO 8601; null when the details are hidden. */
  backendStart: string | null;
  /** e.g. 'active', 'idle', 'idle in transaction'; null when the details are hidden. */
  state: string | null;
  /** The checking user may not see this session's details (see the comment above). */
  detailsHidden: boolean;
}

interface ActivityRow {
  pid: number;
  application_name: string | null;
  client_addr: string | null;
  backend_start: Date | null;
  state: string | null;
  backend_type: string | null;
}

/**
 * Client sessions of `user` in `database`, other than the caller's own and `excludePids`
 * (the other sessions of the same run). Background
 * processes (autovacuum, WAL sender, parallel workers) are left out; a session whose
 * type is hidden from us is kept, because it may be a client.
 */
export async function otherSessions(client: ClientBase, target: { database: string; user: string; excludePids?: readonly number[] }): Promise<OtherSession[]> {
  const result = await client.query<ActivityRow>(
    `SELECT pid, application_name, pg_catalog.host(client_addr) AS client_addr, backend_start, state, backend_type
       FROM pg_catalog.pg_stat_activity
      WHERE datname = $1 AND usename = $2 AND pid <> pg_catalog.pg_backend_pid() AND pid <> ALL($3::int[])
        AND (backend_type = 'client backend' OR backend_type IS NULL)
      ORDER BY backend_start NULLS LAST, pid`,
    [target.database, target.user, [...(target.excludePids ?? [])]],
  );
  return result.rows.map((row) => ({
    pid: row.pid,
    applicationName: row.application_name ?? '',
    clientAddr: row.client_addr,
    backendStart: row.backend_start ? row.backend_start.toISOString() : null,
    state: row.state,
    detailsHidden: row.backend_type === null,
  }));
}

/** The server process serving this session. */
export async function backendPid(client: ClientBase): Promise<number> {
  const result = await client.query<{ pid: number }>('SELECT pg_catalog.pg_backend_pid() AS pid');
  return result.rows[0]!.pid;
}

/** One line per session, for messages: `pid 4711 "cms-server" from 10.0.0.5 (idle) since …`. */
export function describeSession(s: OtherSession): string {
  const parts = [`pid ${s.pid}`];
  if (s.applicationName) parts.push(JSON.stringify(s.applicationName));
  if (s.clientAddr) parts.push(`from ${s.clientAddr}`);
  if (s.state) parts.push(`(${s.state})`);
  if (s.backendStart) parts.push(`since ${s.backendStart}`);
  if (s.detailsHidden) parts.push('(details hidden from the checking user)');
  return parts.join(' ');
}
