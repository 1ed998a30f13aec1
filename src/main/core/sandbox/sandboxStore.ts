// The sandbox's state in SQLite (table `sandbox`, migrations 11 and 12): whether a sandbox
// exists for this data directory, where it lives (its manifest is <dir>/sandbox.json, with a
// copy here) and which installation it owns. The row is written before `sandbox up` builds
// anything and removed last by `sandbox down`, so while anything of the sandbox may exist,
// its installation is the sandbox's: profile import, save and delete refuse to touch it
// (profiles/profileService.ts).
import type { InstallationOwner, InstallationOwnership } from '../profiles/installationOwnership';
import type { SqliteDatabase } from '../store/database';
import { SandboxManifestSchema, type SandboxManifest } from './sandboxManifest';

export interface SandboxState {
  installation: string;
  /** The sandbox's directory: clusters, stand-in servers, key files, sandbox.json. */
  dir: string;
  sizeMb: number;
  createdAt: string;
  /** When the build last reported its manifest (null: a build that made nothing yet). */
  manifestAt: string | null;
}

interface StateRow {
  installation: string;
  dir: string;
  size_mb: number;
  created_at: string;
  manifest_at: string | null;
}

export class SandboxStore implements InstallationOwnership {
  constructor(private readonly db: SqliteDatabase) {}

  get(): SandboxState | null {
    const row = this.db.prepare('SELECT installation, dir, size_mb, created_at, manifest_at FROM sandbox WHERE id = 1').get() as StateRow | undefined;
    return row ? { installation: row.installation, dir: row.dir, sizeMb: row.size_mb, createdAt: row.created_at, manifestAt: row.manifest_at } : null;
  }

  ownerOf(installation: string): InstallationOwner | null {
    return this.db.prepare('SELECT 1 FROM sandbox WHERE id = 1 AND installation = ? COLLATE NOCASE').get(installation) !== undefined ? 'sandbox' : null;
  }

  /**
   * Records the sandbox before anything is built, in one transaction with `check` (which
   * throws to refuse, e.g. when an installation of that name exists that is not the sandbox's).
   */
  create(state: Omit<SandboxState, 'createdAt' | 'manifestAt'>, check: () => void): SandboxState {
    return this.db
      .transaction(() => {
        check();
        const createdAt = new Date().toISOString();
        this.db.prepare('INSERT INTO sandbox (id, installation, dir, size_mb, created_at) VALUES (1, ?, ?, ?, ?)').run(state.installation, state.dir, state.sizeMb, createdAt);
        return { ...state, createdAt, manifestAt: null };
      })
      .immediate();
  }

  /** Moves a sandbox whose build made nothing yet (no manifest) to another dir or size. */
  update(change: Pick<SandboxState, 'dir' | 'sizeMb'>): void {
    this.db.prepare('UPDATE sandbox SET dir = ?, size_mb = ? WHERE id = 1').run(change.dir, change.sizeMb);
  }

  /** The build wrote its manifest (sandboxMachine.ts onManifest): `down` has something to clean from, even if the file goes. */
  manifestWritten(manifest: SandboxManifest): void {
    this.db.prepare('UPDATE sandbox SET manifest_at = ?, manifest = ? WHERE id = 1').run(new Date().toISOString(), JSON.stringify(manifest));
  }

  /** The copy of the manifest the build last reported (migration 12), or null; one that does not validate is no copy. */
  manifestCopy(): SandboxManifest | null {
    const text = this.db.prepare('SELECT manifest FROM sandbox WHERE id = 1').pluck().get() as string | null | undefined;
    if (!text) return null;
    const parsed = SandboxManifestSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  }

  remove(): boolean {
    return this.db.prepare('DELETE FROM sandbox WHERE id = 1').run().changes > 0;
  }

  /** How many runs of the sandbox the history keeps (they stay after `down`, marked). */
  /** The runs of the sandbox's installation (flagged when created), oldest first. */
  runIds(): string[] {
    return this.db.prepare('SELECT id FROM runs WHERE sandbox = 1 ORDER BY created_at').pluck().all() as string[];
  }

  runCount(): number {
    return this.db.prepare('SELECT count(*) FROM runs WHERE sandbox = 1').pluck().get() as number;
  }
}
