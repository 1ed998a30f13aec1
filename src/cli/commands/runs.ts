import { requireArgs, type Command } from '../context';
import { EXIT_OK, printJson, table } from '../output';
import { formatRunStory } from '../restoreOutput';
import { formatByteSize } from '../../shared/byteSize';
import type { RunRecord } from '../../shared/runRecord';

/** The run's kind, and what it still keeps aside: `2 kept, 48 MB`; `rolled back`; `rollback of RUN`. */
function keptColumn(run: RunRecord): string {
  if (run.kind === 'rollback') return `rollback of ${run.rollbackOf}`;
  const kept = run.replicas.flatMap((r) => (r.kept?.state === 'kept' ? [r.kept] : []));
  const bytes = kept.reduce((sum, k) => sum + (k.bytes ?? 0), 0);
  const rolledBack = run.replicas.some((r) => r.rolledBack) ? 'rolled back' : '';
  const held = kept.length ? `${kept.length} kept, ${formatByteSize(bytes)}` : '';
  return [rolledBack, held].filter(Boolean).join('; ') || '-';
}

export const listRuns: Command = async (ctx) => {
  requireArgs(ctx, 0, 'no arguments: runs list [--installation NAME] [--json]');
  const installation = typeof ctx.options.installation === 'string' ? ctx.options.installation : undefined;
  const runs = ctx.core().restore.list(installation ? { installation } : {});
  if (ctx.out.json) {
    printJson(ctx.out, { runs: runs.map(({ steps: _steps, ...summary }) => summary) });
    return EXIT_OK;
  }
  if (runs.length === 0) {
    ctx.out.stdout('No restore runs yet.\n');
    return EXIT_OK;
  }
  ctx.out.stdout(
    `${table([
      ['RUN', 'INSTALLATION', 'STATUS', 'STARTED', 'KEPT SCHEMAS', 'REPLICAS'],
      ...runs.map((r) => [r.runId, r.installation, r.interrupted ? 'interrupted' : r.status, r.createdAt, keptColumn(r), r.replicas.map((x) => `${x.replica.split('/')[1]}:${x.status}`).join(' ')]),
    ])}\n`,
  );
  return EXIT_OK;
};

export const showRun: Command = async (ctx) => {
  const [runId] = requireArgs(ctx, 1, 'RUN_ID: runs show RUN_ID [--json]');
  const record = ctx.core().restore.record(runId!, true);
  if (ctx.out.json) printJson(ctx.out, record);
  else ctx.out.stdout(formatRunStory(record));
  return EXIT_OK;
};
