// Session-level advisory locks, and who holds one. The database is the one place every
// admin's workstation shares, so a lock there excludes a second run from anywhere. The
// holder is found through pg_locks (visible to every role) and pg_stat_activity, whose
// application_name carries who took the lock (see `holderTag`).
import { createHash } from 'node:crypto';
import type { ClientBase } from 'pg';

/** A 64-bit advisory lock key from a name, as the decimal string PostgreSQL takes for bigint. */
export function advisoryLockKey(name: string): string {
  const digest = createHash('sha256').update(name).digest();
  return digest.readBigInt64BE(0).toString();
}

/** pg_locks shows a bigint key as classid (high 32 bits) and objid (low 32 bits), objsubid 1. */
export function lockKeyParts(key: string): { classid: string; objid: string } {
  const unsigned = BigInt.asUintN(64, BigInt(key));
  return { classid: String(unsigned >> 32n), objid: String(unsigned & 0xffffffffn) };
}

/** Takes the lock for this session unless another session holds it; true when taken (or already ours). */
export async function tryAdvisoryLock(client: ClientBase, key: string): Promise<boolean> {
  const result = await client.query<{ ok: boolean }>('SELECT pg_catalog.pg_try_advisory_lock($1::bigint) AS ok', [key]);
  return result.rows[0]?.ok === true;
}

export interface AdvisoryLockHolder {
  pid: number;
  /** The holder session's application_name; "" when it has none. */
  applicationName: string;
  /** When the holder's session started (ISO 8601); null when hidden from the checking role. */
  sessionStart: string | null;
  clientAddr: string | null;
}

/** Who holds `key` in the current database; null when nobody does. Read-only. */
export async function findAdvisoryLockHolder(client: ClientBase, key: string): Promise<AdvisoryLockHolder | null> {
  const { classid, objid } = lockKeyParts(key);
  const result = await client.query<{ pid: number; application_name: string | null; backend_start: Date | null; client_addr: string | null }>(
    `SELECT l.pid, a.application_name, a.backend_start, pg_catalog.host(a.client_addr) AS client_addr
       FROM pg_catalog.pg_locks l
       LEFT JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted
        AND l.database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = pg_catalog.current_database())
        AND l.classid = $1::oid AND l.objid = $2::oid AND l.objsubid = 1
      LIMIT 1`,
    [classid, objid],
  );
  const row = result.rows[0];
  if (!row) return null;
  return { pid: row.pid, applicationName: row.application_name ?? '', sessionStart: row.backend_start ? row.backend_start.toISOString() : null, clientAddr: row.client_addr };
}
