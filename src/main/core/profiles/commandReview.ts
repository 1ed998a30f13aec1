// Reviewing and approving control commands, for `profiles approve` and the app's
// "Review and approve…": list a server's (or an installation's) commands with their state,
// then approve exactly what the admin was shown — and nothing if the profile changed since.
import type { ControlCommand } from '../../../shared/commandApprovals';
import { formatServerRef, type ServerRef } from '../../../shared/profiles';
import { ConflictError } from '../errors';
import type { Logger } from '../logging/logger';
import type { CommandApprovals } from './commandApprovals';
import type { ProfileService } from './profileService';

/** An installation, or one of its servers. */
export interface ApprovalTarget {
  installation: string;
  server?: string;
}

/** `INST` or `INST/SERVER`; null when it is neither. */
export function parseApprovalTarget(text: string): ApprovalTarget | null {
  const parts = text.split('/');
  if (parts.length > 2 || parts.some((p) => p.trim() === '')) return null;
  return parts.length === 1 ? { installation: parts[0]! } : { installation: parts[0]!, server: parts[1]! };
}

export const formatApprovalTarget = (target: ApprovalTarget): string =>
  target.server === undefined ? target.installation : `${target.installation}/${target.server}`;

const sameCommand = (a: ControlCommand, b: ControlCommand) => a.ref === b.ref && a.kind === b.kind && a.command === b.command && a.runsOn === b.runsOn;

export class CommandChangedError extends ConflictError {
  constructor(target: string) {
    super(
      `The control commands of ${target} changed after they were shown; nothing was approved.`,
      `Review them again: \`replica-desk profiles approve ${target}\` (or "Review and approve…" in the app).`,
    );
  }
}

export class CommandReview {
  constructor(
    private readonly profiles: ProfileService,
    private readonly approvals: CommandApprovals,
    private readonly log: Logger,
  ) {}

  /** The target with the stored spelling of its names (NotFoundError when it does not exist). */
  canonical(target: ApprovalTarget): ApprovalTarget {
    const installation = this.profiles.get(target.installation).name;
    return target.server === undefined ? { installation } : { installation, server: this.profiles.server({ installation, server: target.server }).name };
  }

  /** Every control command of the target's servers, in profile order, with its approval state. */
  list(target: ApprovalTarget): ControlCommand[] {
    const { installation, server } = this.canonical(target);
    const servers = this.profiles.get(installation).servers.filter((s) => server === undefined || s.name === server);
    return servers.flatMap((s) => this.approvals.commands({ installation, server: s.name }, s));
  }

  /**
   * Approves the unapproved commands in `shown`, provided the target's commands are still
   * exactly those (same text, same host, none added). Otherwise approves nothing and throws.
   * Returns what was newly approved.
   */
  approve(target: ApprovalTarget, shown: readonly ControlCommand[]): ControlCommand[] {
    const canonical = this.canonical(target);
    const name = formatApprovalTarget(canonical);
    return this.approvals.transaction(() => {
      const current = this.list(canonical);
      const unchanged = current.length === shown.length && current.every((c) => shown.some((s) => sameCommand(s, c)));
      if (!unchanged) throw new CommandChangedError(name);
      const pending = current.filter((c) => !c.approved);
      const installation = this.profiles.get(canonical.installation);
      this.approvals.approve(
        pending.map((c) => {
          const server = installation.servers.find((s) => formatServerRef({ installation: installation.name, server: s.name }) === c.ref)!;
          const ref: ServerRef = { installation: installation.name, server: server.name };
          return { ref, server, kind: c.kind };
        }),
      );
      this.log.info('control commands approved', { target: name, commands: pending.map((c) => `${c.ref} ${c.kind}`) });
      return pending.map((c) => ({ ...c, approved: true }));
    });
  }
}
