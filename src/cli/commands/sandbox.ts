// `replica-desk sandbox up [--size MB] [--dir DIR]`, `sandbox status`, `sandbox down` (all
// with --json): the sandbox installation on this workstation. Progress goes to stderr, the
// result to stdout; Ctrl-C cancels cleanly (what was made stays recorded for `down`).
import { SANDBOX_MAX_SIZE_MB, SANDBOX_MIN_SIZE_MB } from '../../shared/sandbox';
import { requireArgs, UsageError, wholeNumberOption, type Command } from '../context';
import { cancellableByCtrlC } from '../interrupts';
import { EXIT_OK, printJson } from '../output';
import { formatSandboxDown, formatSandboxReady, formatSandboxStatus, sandboxProgressPrinter } from '../sandboxOutput';

export const sandboxUp: Command = async (ctx) => {
  requireArgs(ctx, 0, 'no arguments: sandbox up [--size MB] [--dir DIR] [--json]');
  const sizeMb = wholeNumberOption(ctx, 'size', SANDBOX_MIN_SIZE_MB, SANDBOX_MAX_SIZE_MB);
  const dir = ctx.options.dir;
  if (dir !== undefined && (typeof dir !== 'string' || dir.trim() === '')) throw new UsageError('--dir needs a directory, like --dir ~/replica-desk-sandbox');
  const sandbox = ctx.core().sandbox;
  const status = await cancellableByCtrlC(ctx.out, 'Cancelling the sandbox build; what it made so far stays recorded for `sandbox down`', (signal) =>
    sandbox.up({ ...(sizeMb !== undefined ? { sizeMb } : {}), ...(typeof dir === 'string' ? { dir } : {}) }, sandboxProgressPrinter(ctx.out.stderr), signal),
  );
  if (ctx.out.json) printJson(ctx.out, status);
  else ctx.out.stdout(formatSandboxReady(status));
  return EXIT_OK;
};

export const sandboxStatus: Command = async (ctx) => {
  requireArgs(ctx, 0, 'no arguments: sandbox status [--json]');
  const status = await ctx.core().sandbox.status();
  if (ctx.out.json) printJson(ctx.out, status);
  else ctx.out.stdout(formatSandboxStatus(status));
  return EXIT_OK;
};

export const sandboxDown: Command = async (ctx) => {
  requireArgs(ctx, 0, 'no arguments: sandbox down [--json]');
  const sandbox = ctx.core().sandbox;
  const report = await cancellableByCtrlC(ctx.out, 'Cancelling sandbox down; run it again to finish', (signal) => sandbox.down(sandboxProgressPrinter(ctx.out.stderr), signal));
  if (ctx.out.json) printJson(ctx.out, report);
  else ctx.out.stdout(formatSandboxDown(report));
  return EXIT_OK;
};
