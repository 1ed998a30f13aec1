// `runs dumps [--installation NAME] [--json]` and `runs prune [--keep N] [--installation NAME]
// [--dry-run] [--json]`: the master dumps runs left in the data directory, and retention
// (keep the newest N of each installation; never one a live or resumable run needs).
import type { DumpEntry, KeptDump, PruneReport } from '../../main/core/history/dumpRetention';
import { describeKeepReason } from '../../main/core/history/dumpRetention';
import { UsageError, requireArgs, type Command, type CommandContext } from '../context';
import { EXIT_FAILED, EXIT_OK, printJson, table } from '../output';
import { formatByteSize } from '../../shared/byteSize';
import { dumpDeletedBy } from '../../shared/runRecord';

const installationOption = (ctx: CommandContext) => (typeof ctx.options.installation === 'string' ? ctx.options.installation : undefined);

const stateOf = (d: DumpEntry) => (d.state === 'present' ? formatByteSize(d.bytes) : d.state === 'deleted' ? `deleted (${d.deleted!.reason === 'retention' ? 'retention' : dumpDeletedBy(d.deleted!.reason)}, ${d.deleted!.at})` : 'missing');

export const listDumps: Command = async (ctx) => {
  requireArgs(ctx, 0, 'no arguments: runs dumps [--installation NAME] [--json]');
  const installation = installationOption(ctx);
  const dumps = ctx.core().dumps.list(installation);
  if (ctx.out.json) {
    printJson(ctx.out, { dumps: dumps.map(jsonDump), keep: ctx.core().dumps.configuredKeep() });
    return EXIT_OK;
  }
  if (dumps.length === 0) {
    ctx.out.stdout('No dumps.\n');
    return EXIT_OK;
  }
  const total = dumps.filter((d) => d.state === 'present').reduce((sum, d) => sum + d.bytes, 0);
  ctx.out.stdout(
    `${table([['RUN', 'INSTALLATION', 'STATUS', 'DUMP', 'FILE'], ...dumps.map((d) => [d.runId, d.installation, d.runStatus, stateOf(d), d.file])])}\n` +
      `${formatByteSize(total)} on disk; retention keeps the newest ${ctx.core().dumps.configuredKeep()} of each installation (runs prune).\n`,
  );
  return EXIT_OK;
};

export const pruneDumps: Command = async (ctx) => {
  requireArgs(ctx, 0, 'no arguments: runs prune [--keep N] [--installation NAME] [--dry-run] [--json]');
  const keepText = typeof ctx.options.keep === 'string' ? ctx.options.keep : undefined;
  if (keepText !== undefined && !/^\d+$/.test(keepText)) throw new UsageError(`--keep must be a whole number of at least 1, not "${keepText}"`);
  const installation = installationOption(ctx);
  const report = ctx.core().dumps.prune({
    ...(installation ? { installation } : {}),
    ...(keepText !== undefined ? { keep: Number(keepText) } : {}),
    dryRun: ctx.options['dry-run'] === true,
  });
  if (ctx.out.json) printJson(ctx.out, { keep: report.keep, dryRun: report.dryRun, deleted: report.deleted.map(jsonDump), kept: report.kept.map(jsonKept), failed: report.failed.map((f) => ({ ...jsonDump(f), error: f.error })) });
  else ctx.out.stdout(formatPrune(report));
  return report.failed.length > 0 ? EXIT_FAILED : EXIT_OK;
};

function jsonDump(d: DumpEntry) {
  return { runId: d.runId, installation: d.installation, runStatus: d.runStatus, createdAt: d.createdAt, file: d.file, bytes: d.bytes, state: d.state, deleted: d.deleted };
}

function jsonKept(d: KeptDump) {
  return { ...jsonDump(d), reasons: d.reasons.map((r) => ({ ...r, text: describeKeepReason(r) })) };
}

function formatPrune(report: PruneReport): string {
  const lines: string[] = [];
  const verb = report.dryRun ? 'Would delete' : 'Deleted';
  const freed = report.deleted.reduce((sum, d) => sum + d.bytes, 0);
  lines.push(report.deleted.length === 0 ? 'Nothing to delete.' : `${verb} ${report.deleted.length} dump(s), ${formatByteSize(freed)}:`);
  if (report.deleted.length > 0) lines.push(table(report.deleted.map((d) => [d.runId, formatByteSize(d.bytes), d.file]), '  '));
  if (report.kept.length > 0) {
    lines.push(`Kept ${report.kept.length} dump(s):`);
    lines.push(table(report.kept.map((d) => [d.runId, formatByteSize(d.bytes), d.file, d.reasons.map(describeKeepReason).join('; ')]), '  '));
  }
  for (const f of report.failed) lines.push(`Could not delete ${f.file} (run ${f.runId}): ${f.error}`);
  if (report.dryRun) lines.push('Dry run: nothing was deleted.');
  return `${lines.join('\n')}\n`;
}
