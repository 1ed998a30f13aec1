// The human form of control commands and their approval state, for `profiles approve`,
// `profiles import` and `profiles list`: each command in full, invisible characters shown.
import { visibleCommandText, type ControlCommand, type ImportedCommand } from '../shared/commandApprovals';

/** One command: its server, kind, host and state on a line, then its full text indented. */
export function formatCommand(c: ControlCommand | ImportedCommand): string {
  const state = c.approved ? 'approved' : 'NOT APPROVED';
  const change = 'change' in c ? `, ${c.change}` : '';
  const text = visibleCommandText(c.command)
    .split('\n')
    .map((line) => `      ${line}`)
    .join('\n');
  return `  ${c.ref} ${c.kind} (runs on ${c.runsOn}${change}): ${state}\n${text}`;
}

export const formatCommands = (commands: readonly (ControlCommand | ImportedCommand)[]): string => commands.map(formatCommand).join('\n');

/** "2 commands approved" / "1 of 3 commands not approved" / "" for a server without commands. */
export function approvalSummary(commands: readonly ControlCommand[]): string {
  if (commands.length === 0) return '';
  const open = commands.filter((c) => !c.approved).length;
  const noun = commands.length === 1 ? 'command' : 'commands';
  return open === 0 ? `${commands.length} ${noun} approved` : `${open} of ${commands.length} ${noun} NOT APPROVED`;
}
