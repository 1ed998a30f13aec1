// One `sandbox up` or `sandbox down` at a time per data directory, across processes (two
// CLIs, the CLI and the app): a row in SQLite (table sandbox_lock, migration 11) taken in an
// IMMEDIATE transaction. A second one fails fast, naming the holder, rather than waiting: a
// build takes a minute, and the person (or the app) can run it again when the first is done.
// A holder whose process is gone (killed mid-build) is taken over.
import { hostname } from 'node:os';
import { ReplicaDeskError } from '../errors';
import { isAlive } from '../history/runRows';
import { bootId, ownIdentity, procAvailable, stillRunning } from '../processes/processIdentity';
import type { SqliteDatabase } from '../store/database';

export type SandboxAction = 'up' | 'down';

export interface SandboxLockHolder {
  action: SandboxAction;
  host: string;
  pid: number;
  startedAt: string;
}

export class SandboxBusyError extends ReplicaDeskError {
  constructor(readonly holder: SandboxLockHolder) {
    super(
      'sandbox-busy',
      `Another sandbox ${holder.action} is running (pid ${holder.pid} on ${holder.host}, started ${holder.startedAt}). Nothing was changed.`,
      `Wait for it to finish (\`replica-desk sandbox status\`), or cancel it (Ctrl-C in its terminal, Cancel in the app), then run this again.`,
    );
  }
}

interface LockRow {
  action: SandboxAction;
  host: string;
  pid: number;
  start_time: string | null;
  boot_id: string | null;
  started_at: string;
}

/** The holder's process still runs. One on another host (a shared data directory) cannot be told: it counts as alive. */
function holderAlive(row: LockRow): boolean {
  if (row.host !== hostname()) return true;
  if (row.start_time !== null && procAvailable()) return stillRunning({ pid: row.pid, startTime: row.start_time }, row.boot_id);
  return isAlive(row.pid);
}

export class SandboxLock {
  constructor(private readonly db: SqliteDatabase) {}

  /** The live holder, or null (a dead holder's row counts as free). */
  holder(): SandboxLockHolder | null {
    const row = this.row();
    return row && holderAlive(row) ? { action: row.action, host: row.host, pid: row.pid, startedAt: row.started_at } : null;
  }

  /** Takes the lock for `action`, or throws SandboxBusyError; returns its release. */
  acquire(action: SandboxAction): () => void {
    const self = ownIdentity();
    const startedAt = new Date().toISOString();
    this.db
      .transaction(() => {
        const held = this.holder();
        if (held) throw new SandboxBusyError(held);
        this.db
          .prepare('INSERT OR REPLACE INTO sandbox_lock (id, action, host, pid, start_time, boot_id, started_at) VALUES (1, ?, ?, ?, ?, ?, ?)')
          .run(action, hostname(), process.pid, self?.startTime ?? null, bootId(), startedAt);
      })
      .immediate();
    return () => {
      this.db.prepare('DELETE FROM sandbox_lock WHERE id = 1 AND host = ? AND pid = ? AND started_at = ?').run(hostname(), process.pid, startedAt);
    };
  }

  private row(): LockRow | null {
    return (this.db.prepare('SELECT action, host, pid, start_time, boot_id, started_at FROM sandbox_lock WHERE id = 1').get() as LockRow | undefined) ?? null;
  }
}
