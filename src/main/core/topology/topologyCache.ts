// The newest topology snapshot of each installation, kept in the local SQLite store with
// the time it was taken, so the view still shows the last-known state while offline.
import type { TopologySnapshot } from '../../../shared/topology';
import { maskSecrets } from '../secrets/secret';
import type { SqliteDatabase } from '../store/database';

export class TopologyCache {
  constructor(private readonly db: SqliteDatabase) {}

  /** Replaces the installation's snapshot unless the stored one is newer (probes may finish out of order). */
  put(snapshot: TopologySnapshot): void {
    this.db
      .prepare(
        `INSERT INTO topology_snapshots (installation, probed_at, snapshot) VALUES (?, ?, ?)
         ON CONFLICT (installation) DO UPDATE SET installation = excluded.installation, probed_at = excluded.probed_at, snapshot = excluded.snapshot
         WHERE excluded.probed_at >= topology_snapshots.probed_at`,
      )
      .run(snapshot.installation, snapshot.probedAt, maskSecrets(JSON.stringify(snapshot)));
  }

  /** The installation's last snapshot (name matched ignoring case), or null. */
  get(installation: string): TopologySnapshot | null {
    const row = this.db.prepare('SELECT snapshot FROM topology_snapshots WHERE installation = ?').get(installation) as { snapshot: string } | undefined;
    return row ? (JSON.parse(row.snapshot) as TopologySnapshot) : null;
  }

  list(): TopologySnapshot[] {
    return (this.db.prepare('SELECT snapshot FROM topology_snapshots ORDER BY installation').all() as Array<{ snapshot: string }>).map(
      (r) => JSON.parse(r.snapshot) as TopologySnapshot,
    );
  }

  delete(installation: string): boolean {
    return this.db.prepare('DELETE FROM topology_snapshots WHERE installation = ?').run(installation).changes > 0;
  }
}
