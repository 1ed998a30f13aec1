// Which control commands the admin approved, stored in SQLite by hash. A hash covers the
// installation, the server, the kind (stop/start/status), the host the command runs on and
// its exact text, so any change — of the text, or of the host it runs on — needs a new
// approval. Saving or importing an installation carries the approvals of unchanged commands
// along (through renames too) and drops every other one.
import { createHash } from 'node:crypto';
import { CONTROL_KINDS, type ControlCommand, type ControlKind, type ImportedCommand } from '../../../shared/commandApprovals';
import { formatServerRef, type Installation, type Server, type ServerRef } from '../../../shared/profiles';
import { ReplicaDeskError } from '../errors';
import type { SqliteDatabase } from '../store/database';

/** Where a server's commands run, as part of what is approved: `local` or `ssh user@host:port`. */
export function commandHost(server: Server): string {
  return server.host.access === 'ssh' ? `ssh ${server.host.user}@${server.host.hostname}:${server.host.port}` : 'local';
}

/** The SHA-256 an approval is stored under. Names compare without case, as everywhere else. */
export function approvalHash(ref: ServerRef, kind: ControlKind, runsOn: string, command: string): string {
  const material = JSON.stringify(['replica-desk/command-approval@1', ref.installation.toLowerCase(), ref.server.toLowerCase(), kind, runsOn, command]);
  return createHash('sha256').update(material, 'utf8').digest('hex');
}

/** The server's configured commands, in stop/start/status order, with their hashes. */
export function controlCommandsOf(ref: ServerRef, server: Server): Array<{ kind: ControlKind; command: string; runsOn: string; hash: string }> {
  const runsOn = commandHost(server);
  return CONTROL_KINDS.flatMap((kind) => {
    const command = server.control?.[kind];
    return command ? [{ kind, command, runsOn, hash: approvalHash(ref, kind, runsOn, command) }] : [];
  });
}

/** What the topology probe, the preflight and the runner ask before running a command. */
export interface CommandApprovalCheck {
  isApproved(ref: ServerRef, server: Server, kind: ControlKind): boolean;
}

export class CommandNotApprovedError extends ReplicaDeskError {
  constructor(ref: ServerRef, kind: ControlKind, command: string) {
    super(
      'command-not-approved',
      `The ${kind} command of ${formatServerRef(ref)} has not been approved: ${command}`,
      `Review it and approve it with \`replica-desk profiles approve ${formatServerRef(ref)}\` (or "Review and approve…" in the app); nothing was run.`,
    );
  }
}

export class CommandApprovals implements CommandApprovalCheck {
  constructor(private readonly db: SqliteDatabase) {}

  isApproved(ref: ServerRef, server: Server, kind: ControlKind): boolean {
    const command = server.control?.[kind];
    if (!command) return false;
    return this.has(approvalHash(ref, kind, commandHost(server), command));
  }

  /** Throws CommandNotApprovedError unless the server's `kind` command is approved. */
  require(ref: ServerRef, server: Server, kind: ControlKind): void {
    const command = server.control?.[kind];
    if (command && !this.isApproved(ref, server, kind)) throw new CommandNotApprovedError(ref, kind, command);
  }

  /** Every configured command of the server with its approval state. */
  commands(ref: ServerRef, server: Server): ControlCommand[] {
    return controlCommandsOf(ref, server).map(({ kind, command, runsOn, hash }) => ({ ref: formatServerRef(ref), kind, command, runsOn, approved: this.has(hash) }));
  }

  /** Approves exactly these commands of these servers (already approved ones stay so). */
  approve(entries: ReadonlyArray<{ ref: ServerRef; server: Server; kind: ControlKind }>): void {
    const insert = this.db.prepare('INSERT OR IGNORE INTO command_approvals (hash, installation, server, kind, approved_at) VALUES (?, ?, ?, ?, ?)');
    const now = new Date().toISOString();
    this.transaction(() => {
      for (const { ref, server, kind } of entries) {
        const command = server.control?.[kind];
        if (!command) continue;
        insert.run(approvalHash(ref, kind, commandHost(server), command), ref.installation, ref.server, kind, now);
      }
    });
  }

  removeInstallation(name: string): void {
    this.db.prepare('DELETE FROM command_approvals WHERE installation = ?').run(name);
  }

  /**
   * After `previous` was replaced by `next` (`origins` maps each server of `next` to the server
   * of `previous` it continues, through renames): keeps the approvals of commands whose text
   * and host did not change, drops all others, and approves every command of `next` when
   * `approveAll`. Returns `next`'s commands that are new, changed, or still unapproved.
   * Call it in the transaction that writes `next`.
   */
  reconcile(previous: Installation | null, next: Installation, origins: ReadonlyMap<string, string>, options: { approveAll: boolean }): ImportedCommand[] {
    const report: ImportedCommand[] = [];
    const keep: Array<{ ref: ServerRef; server: Server; kind: ControlKind }> = [];
    for (const server of next.servers) {
      const ref = { installation: next.name, server: server.name };
      const originName = origins.get(server.name);
      const origin = originName === undefined ? undefined : previous?.servers.find((s) => s.name === originName);
      const originRef = previous && origin ? { installation: previous.name, server: origin.name } : null;
      for (const { kind, command, runsOn } of controlCommandsOf(ref, server)) {
        const before = origin?.control?.[kind];
        const unchanged = origin !== undefined && before === command && commandHost(origin) === runsOn;
        const wasApproved = unchanged && originRef !== null && this.isApproved(originRef, origin, kind);
        if (wasApproved || options.approveAll) keep.push({ ref, server, kind });
        if (!wasApproved) report.push({ ref: formatServerRef(ref), kind, command, runsOn, approved: options.approveAll, change: unchanged ? 'unchanged' : before ? 'changed' : 'new' });
      }
    }
    this.transaction(() => {
      if (previous) this.removeInstallation(previous.name);
      this.removeInstallation(next.name);
      this.approve(keep);
    });
    return report;
  }

  transaction<T>(work: () => T): T {
    return this.db.transaction(work)();
  }

  private has(hash: string): boolean {
    return this.db.prepare('SELECT 1 FROM command_approvals WHERE hash = ?').get(hash) !== undefined;
  }
}
