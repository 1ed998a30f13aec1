// Numbered schema migrations, keyed to PRAGMA user_version. Append only: never edit a
// migration that has shipped; add the next number instead.
export interface Migration {
  version: number;
  description: string;
  sql: string;
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    description: 'installations and servers',
    sql: `
      CREATE TABLE installations (
        id            INTEGER PRIMARY KEY,
        name          TEXT NOT NULL COLLATE NOCASE UNIQUE,
        description   TEXT,
        online_backup INTEGER NOT NULL DEFAULT 1 CHECK (online_backup IN (0, 1)),
        position      INTEGER NOT NULL DEFAULT 0,
        created_at    TEXT NOT NULL,
        updated_at    TEXT NOT NULL
      );
      CREATE TABLE servers (
        id              INTEGER PRIMARY KEY,
        installation_id INTEGER NOT NULL REFERENCES installations(id) ON DELETE CASCADE,
        name            TEXT NOT NULL COLLATE NOCASE,
        role            TEXT NOT NULL CHECK (role IN ('master', 'replica')),
        position        INTEGER NOT NULL,
        -- The server's profiles@1 object (no secrets: the format has no field for them).
        definition      TEXT NOT NULL CHECK (json_valid(definition)),
        UNIQUE (installation_id, name)
      );
      CREATE INDEX servers_by_installation ON servers(installation_id, position);
    `,
  },
];

export const LATEST_SCHEMA_VERSION = migrations.reduce((max, m) => Math.max(max, m.version), 0);
