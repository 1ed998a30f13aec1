// `restore INSTALLATION [--replica NAME]… [--dry-run] [--yes] [--json] [--side-by-side | --in-place]
// [--lock-timeout SECONDS]` and
// `runs resume RUN_ID [--yes]`: preflight, plan, typed confirmation, then the recorded run
// with live progress on stderr. Ctrl-C cancels (child processes are killed, compensation
// runs); a second Ctrl-C exits at once.
import { formatServerRef } from '../../shared/profiles';
import { PreflightFailedError, ConfirmationRequiredError, ConfirmationDeclinedError } from '../../main/core/restore/restoreErrors';
import type { RestoreService } from '../../main/core/restore/restoreService';
import { downtimeWindows, kindOf, modeOf, type RestorePlan } from '../../shared/restorePlan';
import type { Timeouts } from '../../main/core/restore/stepContext';
import { InvalidInputError } from '../../main/core/errors';
import { parseLockTimeoutSeconds } from '../../main/core/restore/swapLockTimeout';
import { requireArgs, type CommandContext, type Command } from '../context';
import { EXIT_FAILED, EXIT_OK, printJson } from '../output';
import { ask } from '../prompt';
import { cancellableByCtrlC } from '../interrupts';
import { eventPrinter, formatPlan, formatPreflight, formatRunSummary } from '../restoreOutput';

export const asList = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === 'string' ? [v] : []);
const stringOption = (ctx: CommandContext, name: string) => (typeof ctx.options[name] === 'string' ? (ctx.options[name] as string) : undefined);

/** `--lock-timeout SECONDS` (restore, runs rollback): the swap's lock_timeout in ms, for the plan. */
export function lockTimeoutOption(ctx: CommandContext): { swapLockTimeoutMs?: number } {
  const given = ctx.options['lock-timeout'];
  if (given === undefined) return {};
  if (typeof given !== 'string') throw new InvalidInputError('--lock-timeout needs a number of seconds, like --lock-timeout 30.');
  return { swapLockTimeoutMs: parseLockTimeoutSeconds(given) };
}

export const restore: Command = async (ctx) => {
  const [installation] = requireArgs(ctx, 1, 'INSTALLATION: restore INSTALLATION [--replica NAME]… [--dry-run] [--yes] [--json]');
  const service = ctx.core().restore;
  const dryRun = ctx.options['dry-run'] === true;
  const yes = ctx.options.yes === true;
  const lockTimeout = lockTimeoutOption(ctx);
  // Refuse early, before any work, when a confirmation would be needed and cannot be asked.
  if (!dryRun && !yes && !ctx.stdin.isTTY) throw new ConfirmationRequiredError();

  const fromBackup = stringOption(ctx, 'from-backup');
  const backupDir = stringOption(ctx, 'backup-dir');
  const pgBinDir = stringOption(ctx, 'pg-bin');
  if (ctx.options['side-by-side'] === true && ctx.options['in-place'] === true) {
    throw new InvalidInputError('Choose one of --side-by-side and --in-place.', [], 'Give neither to let the preflight choose: side-by-side where every replica allows it, otherwise in-place.');
  }
  // Neither flag: the preflight chooses (side-by-side where possible); a flag is a demand.
  const mode = ctx.options['side-by-side'] === true ? 'side-by-side' : ctx.options['in-place'] === true ? 'in-place' : undefined;
  const { plan, preflight } = await service.prepare({
    ...(mode ? { mode } : {}),
    installation: installation!,
    replicas: asList(ctx.options.replica),
    ...(fromBackup ? { fromBackup } : {}),
    ...(backupDir ? { backupDir } : {}),
    ...(pgBinDir ? { pgBinDir } : {}),
    ...lockTimeout,
  });

  if (dryRun) {
    if (ctx.out.json) {
      const plain = { installation: plan.installation.name, master: plan.master, replicas: plan.replicas, backup: plan.backup, mode: modeOf(plan), modeReason: plan.modeReason, downtime: downtimeWindows(plan), ...(plan.routes ? { routes: plan.routes } : {}), steps: plan.steps };
      printJson(ctx.out, { dryRun: true, ok: preflight.ok, preflight: preflight.findings, plan: plain });
    }
    else ctx.out.stdout(`${formatPlan(plan)}\n\n${formatPreflight(preflight)}\n\nDry run: nothing was changed.\n`);
    return preflight.ok ? EXIT_OK : EXIT_FAILED;
  }
  ctx.out.stderr(`${formatPreflight(preflight)}\n`);
  if (!preflight.ok) throw new PreflightFailedError(preflight.findings.filter((f) => !f.ok && f.severity === 'error').length);
  if (!ctx.out.json) ctx.out.stderr(`\n${formatPlan(plan)}\n\n`);

  const confirmations = yes ? confirmedByFlag(plan) : await confirmByTyping(ctx, plan);
  const runId = service.start(plan, preflight, confirmations);
  ctx.out.stderr(`Run ${runId} started.\n`);
  return runAndReport(ctx, service, runId, plan, yes, pgBinDir);
};

export const resume: Command = async (ctx) => {
  const [runId] = requireArgs(ctx, 1, 'RUN_ID: runs resume RUN_ID [--yes]');
  const service = ctx.core().restore;
  const yes = ctx.options.yes === true;
  const run = service.resumable(runId!);
  if (!yes && !ctx.stdin.isTTY) throw new ConfirmationRequiredError();
  const pending = run.steps.filter((s) => s.status !== 'done' && s.status !== 'skipped');
  ctx.out.stderr(`Run ${runId} continues at: ${pending[0]?.title ?? 'nothing left'}\n`);
  if (!yes) {
    const answer = await ask(ctx.stdin, process.stderr, `Type the installation name "${run.installation}" to continue the run: `);
    if (answer !== run.installation) throw new ConfirmationDeclinedError(`resume of run ${runId}`);
  }
  // Only now take the run over, so a declined prompt leaves it as it was.
  await service.claimForResume(runId!);
  return runAndReport(ctx, service, runId!, run.plan, yes, stringOption(ctx, 'pg-bin'));
};

export async function runAndReport(ctx: CommandContext, service: RestoreService, runId: string, plan: RestorePlan, yes: boolean, pgBinDir: string | undefined): Promise<number> {
  await cancellableByCtrlC(ctx.out, 'Cancelling: stopping child processes and running compensation', (signal) =>
    service.execute(runId, {
      signal,
      onEvent: eventPrinter(ctx.out.stderr, plan.steps.length),
      confirm: async (instruction) => {
        if (yes) return true;
        if (!ctx.stdin.isTTY) return false;
        const answer = await ask(ctx.stdin, process.stderr, `${instruction} Type "yes" when done: `);
        return answer.toLowerCase() === 'yes';
      },
      ...(pgBinDir ? { pgBinDir } : {}),
      timeouts: timeoutsFrom(ctx),
    }),
  );
  const record = service.record(runId);
  if (ctx.out.json) printJson(ctx.out, record);
  else ctx.out.stdout(formatRunSummary(record));
  return record.status === 'succeeded' ? EXIT_OK : EXIT_FAILED;
}

export function confirmedByFlag(plan: RestorePlan): Record<string, string> {
  return Object.fromEntries(plan.replicas.map((r) => [formatServerRef({ installation: plan.installation.name, server: r }), '--yes']));
}

export async function confirmByTyping(ctx: CommandContext, plan: RestorePlan): Promise<Record<string, string>> {
  const confirmations: Record<string, string> = {};
  for (const r of plan.replicas) {
    const name = formatServerRef({ installation: plan.installation.name, server: r });
    const schema = plan.installation.servers.find((s) => s.name === r)!.db.schema;
    const what =
      kindOf(plan) === 'rollback'
        ? `This stops ${name} and swaps its previous schema back in as ${schema} (the restored one is kept beside it)`
        : modeOf(plan) === 'side-by-side'
          ? `This stops ${name} for a swap that replaces its schema ${schema} (the current one is kept beside it)`
          : `This drops schema ${schema} of ${name}`;
    const answer = await ask(ctx.stdin, process.stderr, `${what}. Type "${name}" to confirm: `);
    if (answer !== name) throw new ConfirmationDeclinedError(`${kindOf(plan) === 'rollback' ? 'rolling back' : 'dropping'} ${name} (typed "${answer}")`);
    confirmations[name] = `typed at ${new Date().toISOString()}`;
  }
  return confirmations;
}

/**
 * Waits and watchdogs: `--stall-timeout SECONDS` (how long a dump or restore stream may move
 * no bytes before the run calls the connection dead), and environment variables that let
 * tests and slow sites shorten or lengthen the waits for servers to stop and start.
 */
function timeoutsFrom(ctx: CommandContext): Partial<Timeouts> {
  const pick = (name: string) => {
    const v = Number(process.env[name]);
    return Number.isFinite(v) && v > 0 ? v : undefined;
  };
  const stall = stringOption(ctx, 'stall-timeout');
  let stallMs = pick('REPLICA_DESK_STALL_TIMEOUT_MS');
  if (stall !== undefined) {
    const seconds = Number(stall);
    if (!Number.isFinite(seconds) || seconds <= 0) throw new InvalidInputError(`--stall-timeout must be a positive number of seconds, not "${stall}".`);
    stallMs = seconds * 1000;
  }
  const timeouts: Partial<Timeouts> = {
    stopWaitMs: pick('REPLICA_DESK_STOP_WAIT_MS'),
    startWaitMs: pick('REPLICA_DESK_START_WAIT_MS'),
    pollMs: pick('REPLICA_DESK_POLL_MS'),
    commandMs: pick('REPLICA_DESK_COMMAND_TIMEOUT_MS'),
    stallMs,
  };
  return Object.fromEntries(Object.entries(timeouts).filter(([, v]) => v !== undefined));
}
