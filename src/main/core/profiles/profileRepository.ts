// SQLite persistence of installations and their servers. Knows tables and rows, not rules:
// validation happens before anything reaches here (see profileService.ts).
import type { Installation, Server } from '../../../shared/profiles';
import type { SqliteDatabase } from '../store/database';

interface InstallationRow {
  id: number;
  name: string;
  description: string | null;
  online_backup: number;
}

interface ServerRow {
  installation_id: number;
  definition: string;
}

export class ProfileRepository {
  constructor(private readonly db: SqliteDatabase) {}

  list(): Installation[] {
    const installs = this.db
      .prepare('SELECT id, name, description, online_backup FROM installations ORDER BY position, name')
      .all() as InstallationRow[];
    const servers = this.db
      .prepare('SELECT installation_id, definition FROM servers ORDER BY installation_id, position')
      .all() as ServerRow[];
    const byInstallation = new Map<number, Server[]>();
    for (const row of servers) {
      const list = byInstallation.get(row.installation_id) ?? [];
      list.push(JSON.parse(row.definition) as Server);
      byInstallation.set(row.installation_id, list);
    }
    return installs.map((row) => toInstallation(row, byInstallation.get(row.id) ?? []));
  }

  find(name: string): Installation | null {
    const row = this.db
      .prepare('SELECT id, name, description, online_backup FROM installations WHERE name = ?')
      .get(name) as InstallationRow | undefined;
    if (!row) return null;
    const servers = this.db
      .prepare('SELECT installation_id, definition FROM servers WHERE installation_id = ? ORDER BY position')
      .all(row.id) as ServerRow[];
    return toInstallation(row, servers.map((s) => JSON.parse(s.definition) as Server));
  }

  /**
   * Writes `installation`, replacing the one called `previousName` (or the one of the same
   * name) if it exists, in one transaction. Keeps the row id so later history rows that
   * reference the installation stay attached through a rename.
   */
  upsert(installation: Installation, previousName: string | null = null): void {
    this.db.transaction(() => this.upsertInTransaction(installation, previousName))();
  }

  /** Writes several installations atomically: all of them or none. */
  upsertAll(installations: readonly Installation[]): void {
    this.db.transaction(() => {
      for (const inst of installations) this.upsertInTransaction(inst, null);
    })();
  }

  delete(name: string): boolean {
    return this.db.prepare('DELETE FROM installations WHERE name = ?').run(name).changes > 0;
  }

  private upsertInTransaction(inst: Installation, previousName: string | null): void {
    const now = new Date().toISOString();
    const existing = this.db
      .prepare('SELECT id FROM installations WHERE name = ?')
      .get(previousName ?? inst.name) as { id: number } | undefined;
    let id: number;
    if (existing) {
      id = existing.id;
      this.db
        .prepare('UPDATE installations SET name = ?, description = ?, online_backup = ?, updated_at = ? WHERE id = ?')
        .run(inst.name, inst.description ?? null, inst.onlineBackup ? 1 : 0, now, id);
      this.db.prepare('DELETE FROM servers WHERE installation_id = ?').run(id);
    } else {
      const position = (this.db.prepare('SELECT COALESCE(MAX(position), -1) + 1 AS p FROM installations').get() as { p: number }).p;
      id = Number(
        this.db
          .prepare(
            'INSERT INTO installations (name, description, online_backup, position, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
          )
          .run(inst.name, inst.description ?? null, inst.onlineBackup ? 1 : 0, position, now, now).lastInsertRowid,
      );
    }
    const insertServer = this.db.prepare(
      'INSERT INTO servers (installation_id, name, role, position, definition) VALUES (?, ?, ?, ?, ?)',
    );
    inst.servers.forEach((server, position) => {
      insertServer.run(id, server.name, server.role, position, JSON.stringify(server));
    });
  }
}

function toInstallation(row: InstallationRow, servers: Server[]): Installation {
  return {
    name: row.name,
    ...(row.description !== null ? { description: row.description } : {}),
    onlineBackup: row.online_backup === 1,
    servers,
  };
}
