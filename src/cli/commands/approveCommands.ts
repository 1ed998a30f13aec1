// `profiles approve INST[/SERVER] [--yes]`: shows every control command of the server (or of
// each server of the installation) in full with its state, asks for the target to be typed
// back on the TTY, then approves exactly what was shown — nothing if the profile changed.
import { ReplicaDeskError } from '../../main/core/errors';
import { formatApprovalTarget, parseApprovalTarget } from '../../main/core/profiles/commandReview';
import { formatCommands } from '../commandApprovalOutput';
import { requireArgs, UsageError, type Command } from '../context';
import { EXIT_OK, printJson } from '../output';
import { ask } from '../prompt';

export class ApprovalNeedsTerminalError extends ReplicaDeskError {
  override readonly usage = true;

  constructor(target: string) {
    super(
      'confirmation-required',
      `Approving the control commands of ${target} needs a typed confirmation, but there is no terminal to ask on.`,
      'Run it in a terminal and type the name back, or pass --yes after reviewing the commands. Nothing was approved.',
    );
  }
}

export class ApprovalDeclinedError extends ReplicaDeskError {
  constructor(target: string) {
    super('not-confirmed', `Not confirmed: the control commands of ${target}.`, `Nothing was approved. Run \`replica-desk profiles approve ${target}\` again when you are ready.`);
  }
}

export const approveCommands: Command = async (ctx) => {
  const [text] = requireArgs(ctx, 1, 'INSTALLATION[/SERVER]: profiles approve INSTALLATION[/SERVER] [--yes]');
  const parsed = parseApprovalTarget(text!);
  if (!parsed) throw new UsageError(`"${text}" is not INSTALLATION or INSTALLATION/SERVER (e.g. prod-eu or prod-eu/rls1)`);
  const review = ctx.core().commands;
  const target = review.canonical(parsed);
  const name = formatApprovalTarget(target);
  const shown = review.list(target);
  const pending = shown.filter((c) => !c.approved);
  // With --json stdout carries one document only; the review goes to stderr.
  const show = ctx.out.json ? ctx.out.stderr : ctx.out.stdout;
  if (pending.length === 0) {
    if (ctx.out.json) printJson(ctx.out, { ok: true, target: name, approved: [], commands: shown });
    else show(shown.length === 0 ? `${name} has no control commands: nothing to approve.\n` : `Every control command of ${name} is already approved: nothing to approve.\n${formatCommands(shown)}\n`);
    return EXIT_OK;
  }
  show(`Control commands of ${name} (each runs as a shell command on its host):\n${formatCommands(shown)}\n`);
  if (ctx.options.yes !== true) {
    if (!ctx.stdin.isTTY) throw new ApprovalNeedsTerminalError(name);
    const answer = await ask(ctx.stdin, process.stderr, `Type "${name}" to approve the ${pending.length} command${pending.length === 1 ? '' : 's'} marked NOT APPROVED: `);
    if (answer !== name) throw new ApprovalDeclinedError(name);
  }
  const approved = review.approve(target, shown);
  if (ctx.out.json) printJson(ctx.out, { ok: true, target: name, approved, commands: review.list(target) });
  else ctx.out.stdout(`Approved ${approved.length} control command${approved.length === 1 ? '' : 's'} of ${name}.\n`);
  return EXIT_OK;
};
