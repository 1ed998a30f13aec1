// Gives pg_dump / pg_restore / psql a password without argv or PGPASSWORD: a pgpass file
// readable only by us, in a fresh private directory, that lives only while `fn` runs.
// Point the child at it with the PGPASSFILE environment variable.
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
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

export async function withPrivatePgpassFile<T>(entries: readonly PgpassFileEntry[], fn: (path: string) => Promise<T>): Promise<T> {
  const text = entries.map((e) => `${formatPgpassLine(e)}\n`).join('');
  const dir = await mkdtemp(join(tmpdir(), 'replica-desk-pgpass-'));
  try {
    await chmod(dir, 0o700);
    const file = join(dir, 'pgpass');
    await writeFile(file, text, { mode: 0o600, flag: 'wx' });
    return await fn(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
