// `runs rollback RUN_ID [--replica NAME]… [--yes] [--json] [--lock-timeout SECONDS]`: undo a side-by-side run — a new
// recorded run (resume, cancel and compensation as for a restore) that stops each replica,
// swaps its previous schema back in, starts and verifies it. `runs discard RUN_ID
// [--replica NAME]… [--yes] [--json]`: drop what the run keeps aside. `runs kept
// [INSTALLATION] [--json]`: every kept schema the replicas' databases hold now, with sizes.
// Both destructive commands need the replica's `installation/server` typed back, or --yes.
import { formatByteSize } from '../../shared/byteSize';
import type { KeptSchemaDiscard } from '../../shared/runRecord';
import { ConfirmationDeclinedError, ConfirmationRequiredError, PreflightFailedError } from '../../main/core/restore/restoreErrors';
import { RollbackRefusedError } from '../../main/core/restore/rollbackEligibility';
import { KEPT_SCHEMA_CHECK } from '../../main/core/restore/rollbackPreflight';
import { requireArgs, UsageError, type Command, type CommandContext } from '../context';
import { EXIT_OK, printJson, table } from '../output';
import { ask } from '../prompt';
import { formatPlan, formatPreflight } from '../restoreOutput';
import { asList, confirmByTyping, confirmedByFlag, lockTimeoutOption, runAndReport } from './restore';

const requireConfirmable = (ctx: CommandContext, what: string) => {
  if (ctx.options.yes !== true && !ctx.stdin.isTTY) throw new ConfirmationRequiredError(what);
};

export const rollback: Command = async (ctx) => {
  const [runId] = requireArgs(ctx, 1, 'RUN_ID: runs rollback RUN_ID [--replica NAME]… [--yes] [--json]');
  const yes = ctx.options.yes === true;
  const lockTimeout = lockTimeoutOption(ctx);
  // Refuse early, before any work, when a confirmation would be needed and cannot be asked.
  requireConfirmable(ctx, 'A rollback stops replicas and swaps their schemas back');
  const service = ctx.core().restore;
  const { plan, preflight } = await service.prepareRollback({ runId: runId!, replicas: asList(ctx.options.replica), ...lockTimeout });
  ctx.out.stderr(`${formatPreflight(preflight)}\n`);
  const gone = preflight.findings.find((f) => f.check === KEPT_SCHEMA_CHECK && !f.ok);
  if (gone) throw new RollbackRefusedError(runId!, `${gone.server}: ${gone.message.replace(/\.$/, '')}`, gone.hint ?? 'Nothing was changed.');
  if (!preflight.ok) throw new PreflightFailedError(preflight.findings.filter((f) => !f.ok && f.severity === 'error').length);
  if (!ctx.out.json) ctx.out.stderr(`\n${formatPlan(plan)}\n\n`);
  const confirmations = yes ? confirmedByFlag(plan) : await confirmByTyping(ctx, plan);
  const rollbackRun = service.start(plan, preflight, confirmations);
  ctx.out.stderr(`Rollback run ${rollbackRun} of run ${runId} started.\n`);
  return runAndReport(ctx, service, rollbackRun, plan, yes, undefined);
};

const describeDiscard = (d: KeptSchemaDiscard) => `${d.replica}: ${d.schema} (${d.kind === 'prev' ? 'the previous schema' : 'the restored schema a rollback set aside'}${d.bytes === null ? '' : `, ${formatByteSize(d.bytes)}`})`;

export const discard: Command = async (ctx) => {
  const [runId] = requireArgs(ctx, 1, 'RUN_ID: runs discard RUN_ID [--replica NAME]… [--yes] [--json]');
  requireConfirmable(ctx, 'Discarding drops kept schemas');
  const kept = ctx.core().keptSchemas;
  const targets = kept.targets(runId!, asList(ctx.options.replica));
  const measured = await kept.measure(runId!, targets);
  ctx.out.stderr(`Run ${runId} keeps:\n${measured.map((m) => `  ${describeDiscard(m)}${m.existed ? '' : ' — already gone from the database'}`).join('\n')}\n`);
  if (ctx.options.yes !== true) {
    for (const m of measured) {
      const answer = await ask(ctx.stdin, process.stderr, `This drops ${m.schema} of ${m.replica} for good. Type "${m.replica}" to confirm: `);
      if (answer !== m.replica) throw new ConfirmationDeclinedError(`discarding ${m.schema} of ${m.replica} (typed "${answer}")`);
    }
  }
  const done = await kept.discard(runId!, targets);
  if (ctx.out.json) printJson(ctx.out, { runId, discarded: done });
  else ctx.out.stdout(`${done.map((d) => `Discarded ${describeDiscard(d)}${d.existed ? '' : ' — it was already gone'}`).join('\n')}\n`);
  return EXIT_OK;
};

export const keptList: Command = async (ctx) => {
  if (ctx.args.length > 1) throw new UsageError('expected at most INSTALLATION: runs kept [INSTALLATION] [--json]');
  const listings = await ctx.core().keptSchemas.held(ctx.args[0]);
  if (ctx.out.json) {
    printJson(ctx.out, { kept: listings });
    return EXIT_OK;
  }
  const rows = listings.flatMap((l) =>
    l.error ? [[l.replica, '?', '', '', `could not list: ${l.error}`]] : l.schemas.map((k) => [l.replica, k.schema, k.kind, formatByteSize(k.bytes), k.runId ?? '(no run in this history)']),
  );
  if (rows.length === 0) {
    ctx.out.stdout('No kept schemas.\n');
    return EXIT_OK;
  }
  const total = listings.flatMap((l) => l.schemas).reduce((sum, k) => sum + k.bytes, 0);
  ctx.out.stdout(`${table([['REPLICA', 'SCHEMA', 'KIND', 'SIZE', 'RUN'], ...rows])}\n\nTotal kept: ${formatByteSize(total)}. Drop what is no longer needed with \`replica-desk runs discard RUN_ID\`.\n`);
  return EXIT_OK;
};
