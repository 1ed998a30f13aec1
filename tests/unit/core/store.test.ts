import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, schemaVersion, StoreTooNewError } from '../../../src/main/core/store/database';
import { LATEST_SCHEMA_VERSION } from '../../../src/main/core/store/migrations';

const dirs: string[] = [];
const tempFile = () => {
  const dir = mkdtempSync(join(tmpdir(), 'rd-store-'));
  dirs.push(dir);
  return join(dir, 'nested', 'replica-desk.sqlite');
};
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('openStore', () => {
  it('creates the file, migrates to the latest version, and turns on WAL and foreign keys', () => {
    const store = openStore(tempFile());
    expect(schemaVersion(store.db)).toBe(LATEST_SCHEMA_VERSION);
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1);
    const tables = store.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
    expect(tables).toEqual(expect.arrayContaining(['installations', 'servers']));
    store.close();
  });

  it('creates the database file, and the WAL files SQLite adds, readable by its owner only (0600)', () => {
    const file = tempFile();
    const store = openStore(file);
    store.db.prepare('INSERT INTO installations (name, created_at, updated_at) VALUES (?, ?, ?)').run('x', 'now', 'now');
    for (const f of [file, `${file}-wal`, `${file}-shm`]) expect(statSync(f).mode & 0o777).toBe(0o600);
    store.close();
  });

  it('is idempotent: reopening keeps the data and the version', () => {
    const file = tempFile();
    const first = openStore(file);
    first.db.prepare("INSERT INTO installations (name, created_at, updated_at) VALUES ('a', 'x', 'x')").run();
    first.close();
    const second = openStore(file);
    expect(second.db.prepare('SELECT name FROM installations').pluck().all()).toEqual(['a']);
    expect(schemaVersion(second.db)).toBe(LATEST_SCHEMA_VERSION);
    second.close();
  });

  it('applies only pending migrations, each with its version in one transaction', () => {
    const file = tempFile();
    openStore(file, { migrations: [{ version: 1, description: 'one', sql: 'CREATE TABLE one (x)' }] }).close();
    const store = openStore(file, {
      migrations: [
        { version: 1, description: 'one', sql: 'CREATE TABLE one (x)' },
        { version: 2, description: 'two', sql: 'CREATE TABLE two (y)' },
      ],
    });
    expect(schemaVersion(store.db)).toBe(2);
    store.close();
    // A failing migration leaves the earlier version and no half-made table.
    expect(() =>
      openStore(file, {
        migrations: [
          { version: 2, description: 'two', sql: 'CREATE TABLE two (y)' },
          { version: 3, description: 'bad', sql: 'CREATE TABLE three (z); SELECT * FROM missing_table' },
        ],
      }),
    ).toThrow(/missing_table/);
    const raw = new Database(file);
    expect(raw.pragma('user_version', { simple: true })).toBe(2);
    expect(raw.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'three'").pluck().get()).toBe(0);
    raw.close();
  });

  it('refuses a database written by a newer version and leaves it untouched', () => {
    const file = tempFile();
    openStore(file).close();
    const raw = new Database(file);
    raw.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 5}`);
    raw.close();
    const before = readFileSync(file);
    let error: unknown;
    try {
      openStore(file);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StoreTooNewError);
    expect((error as StoreTooNewError).code).toBe('store-too-new');
    expect((error as StoreTooNewError).hint).toMatch(/Update Replica Desk/);
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it('cascades server rows when an installation is deleted', () => {
    const store = openStore(tempFile());
    const id = store.db.prepare("INSERT INTO installations (name, created_at, updated_at) VALUES ('a', 'x', 'x')").run().lastInsertRowid;
    store.db.prepare("INSERT INTO servers (installation_id, name, role, position, definition) VALUES (?, 'm', 'master', 0, '{}')").run(id);
    store.db.prepare('DELETE FROM installations WHERE id = ?').run(id);
    expect(store.db.prepare('SELECT count(*) FROM servers').pluck().get()).toBe(0);
    store.close();
  });
});
