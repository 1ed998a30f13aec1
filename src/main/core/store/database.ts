// The local SQLite store: one file in the data directory, WAL mode, foreign keys on,
// migrated to the latest version on open. A file written by a newer Replica Desk is
// refused rather than guessed at.
import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { ReplicaDeskError } from '../errors';
import { LATEST_SCHEMA_VERSION, migrations, type Migration } from './migrations';

export type SqliteDatabase = Database.Database;

export interface Store {
  readonly file: string;
  readonly db: SqliteDatabase;
  close(): void;
}

export class StoreTooNewError extends ReplicaDeskError {
  constructor(file: string, found: number, supported: number) {
    super(
      'store-too-new',
      `The local database ${file} has schema version ${found}, but this Replica Desk understands up to ${supported}.`,
      'It was written by a newer Replica Desk. Update Replica Desk, or point --home / REPLICA_DESK_HOME at another directory. The file was not changed.',
    );
  }
}

export class StoreOpenError extends ReplicaDeskError {
  constructor(file: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      'store-unavailable',
      `Cannot open the local database ${file}: ${reason}`,
      'Check that the directory exists and is writable, that the disk is not full, and that the file is a Replica Desk database. Use --home to choose another directory.',
      { cause },
    );
  }
}

export interface OpenStoreOptions {
  /** Path of a better-sqlite3 addon built for this runtime (Electron's ABI differs from Node's). */
  nativeBinding?: string;
  migrations?: readonly Migration[];
}

export function openStore(file: string, options: OpenStoreOptions = {}): Store {
  const list = options.migrations ?? migrations;
  let db: SqliteDatabase;
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    // Private from its first byte (SQLite gives its -wal and -shm files the same mode).
    if (!existsSync(file)) closeSync(openSync(file, 'a', 0o600));
    db = new Database(file, options.nativeBinding ? { nativeBinding: options.nativeBinding } : {});
  } catch (e) {
    throw new StoreOpenError(file, e);
  }
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db, file, list);
  } catch (e) {
    db.close();
    if (e instanceof ReplicaDeskError) throw e;
    throw new StoreOpenError(file, e);
  }
  return { file, db, close: () => db.open && db.close() };
}

export function schemaVersion(db: SqliteDatabase): number {
  return db.pragma('user_version', { simple: true }) as number;
}

function migrate(db: SqliteDatabase, file: string, list: readonly Migration[]): void {
  const latest = list.reduce((max, m) => Math.max(max, m.version), 0) || LATEST_SCHEMA_VERSION;
  const current = schemaVersion(db);
  if (current > latest) throw new StoreTooNewError(file, current, latest);
  const pending = [...list].filter((m) => m.version > current).sort((a, b) => a.version - b.version);
  for (const m of pending) {
    // Each migration and its version bump commit together, so a crash never leaves a
    // half-migrated file with the old version number.
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
}
