// The app's "Review and approve…": the commands come from the store in main, never from the
// request; the admin sees each in full in a prompt the renderer cannot answer (ConfirmInMain),
// and only a confirmed prompt approves exactly what it showed.
import type { CommandApprovalResult } from '../../shared/api';
import { visibleCommandText, type ControlCommand } from '../../shared/commandApprovals';
import { InvalidInputError } from '../core/errors';
import { formatApprovalTarget, parseApprovalTarget } from '../core/profiles/commandReview';
import type { ReplicaDesk } from '../core/replicaDesk';
import type { ConfirmInMain, TrustPrompt } from './confirmInMain';

export function commandApprovalPrompt(target: string, shown: readonly ControlCommand[]): TrustPrompt {
  const pending = shown.filter((c) => !c.approved).length;
  const detail = shown
    .map((c) => `${c.ref} ${c.kind} — runs on ${c.runsOn}${c.approved ? ' (already approved)' : ''}:\n${visibleCommandText(c.command)}`)
    .join('\n\n');
  return {
    title: 'Approve control commands',
    message: `Approve ${pending} control command${pending === 1 ? '' : 's'} of ${target}? Each runs as a shell command on its host.`,
    detail,
    confirmLabel: 'Approve',
  };
}

export async function approveCommandsInMain(core: Pick<ReplicaDesk, 'commands'>, confirm: ConfirmInMain, ref: string): Promise<CommandApprovalResult> {
  const parsed = parseApprovalTarget(ref);
  if (!parsed) throw new InvalidInputError(`"${ref}" is not an installation or installation/server.`);
  const target = core.commands.canonical(parsed);
  const name = formatApprovalTarget(target);
  const shown = core.commands.list(target);
  if (!shown.some((c) => !c.approved)) return { target: name, confirmed: false, approved: [], commands: shown };
  if (!(await confirm(commandApprovalPrompt(name, shown)))) return { target: name, confirmed: false, approved: [], commands: core.commands.list(target) };
  // Throws (approving nothing) when the profile changed while the prompt was open.
  const approved = core.commands.approve(target, shown);
  return { target: name, confirmed: true, approved, commands: core.commands.list(target) };
}
