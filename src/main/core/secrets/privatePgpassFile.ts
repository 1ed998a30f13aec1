// Gives pg_dump / pg_restore / psql a password without argv or PGPASSWORD: a pgpass file
// readable only by us, in a fresh private directory, that lives only while `fn` runs.
// Point the child at it with the PGPASSFILE environment variable.
import { chmod, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidInputError } from '../errors';
import type { Secret } from './secret';

export interface PgpassFileEntry {
  host: string;
  port: number | string;
  database: string;
  user: string;
  password: Secret;
}

/** Escapes a field so libpq reads back exactly `value` (a lone `*` would be a wildcard). */
export function escapePgpassField(value: string): string {
  const escaped = value.replace(/[\\:]/g, (ch) => `\\${ch}`);
  return escaped === '*' ? '\\*' : escaped;
}

export function formatPgpassLine(entry: PgpassFileEntry): string {
  const fields = [entry.host, String(entry.port), entry.database, entry.user, entry.password.reveal()];
  // pgpass is line-based: a line break in any field cannot be written.
  if (fields.some((f) => /[\r\n]/.test(f))) {
    throw new InvalidInputError(
      `The connection details for ${entry.user}@${entry.host}:${entry.port}/${entry.database} contain a line break.`,
      [],
      'Remove the line break from the host, database, user name or password; PostgreSQL tools cannot read it from a password file.',
    );
  }
  return fields.map(escapePgpassField).join(':');
}

const PREFIX = 'replica-desk-pgpass-';

function processIsGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * A process killed with SIGKILL cannot remove its file; the directory name carries its pid,
 * so the next run removes what a dead process left behind.
 */
export async function sweepStalePgpassFiles(dir = tmpdir()): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const pid = Number(/^replica-desk-pgpass-(\d+)-/.exec(name)?.[1]);
    if (pid && pid !== process.pid && processIsGone(pid)) {
      await rm(join(dir, name), { recursive: true, force: true }).catch(() => undefined);
      removed.push(name);
    }
  }
  return removed;
}

export async function withPrivatePgpassFile<T>(entries: readonly PgpassFileEntry[], fn: (path: string) => Promise<T>): Promise<T> {
  const text = entries.map((e) => `${formatPgpassLine(e)}\n`).join('');
  await sweepStalePgpassFiles();
  const dir = await mkdtemp(join(tmpdir(), `${PREFIX}${process.pid}-`));
  try {
    await chmod(dir, 0o700);
    const file = join(dir, 'pgpass');
    await writeFile(file, text, { mode: 0o600, flag: 'wx' });
    return await fn(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
