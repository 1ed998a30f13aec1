// `replica-desk runs list` and `runs show`: the restore history, as a table or JSON.
import { requireArgs, wholeNumberOption, type Command } from '../context';
import { EXIT_OK, printJson, printJsonList, table } from '../output';
import { formatRunStory, runInstallationLabel } from '../restoreOutput';
import { formatByteSize } from '../../shared/byteSize';
import type { RunRecord } from '../../shared/runRecord';
import type { RunRow } from '../../main/core/history/runRows';

/** The run's kind, and what it still keeps aside: `2 kept, 48 MB`; `rolled back`; `rollback of RUN`. */
function keptColumn(run: RunRecord): string {
  if (run.kind === 'rollback') return `rollback of ${run.rollbackOf}`;
  const kept = run.replicas.flatMap((r) => (r.kept?.state === 'kept' ? [r.kept] : []));
  const bytes = kept.reduce((sum, k) => sum + (k.bytes ?? 0), 0);
  const rolledBack = run.replicas.some((r) => r.rolledBack) ? 'rolled back' : '';
  const held = kept.length ? `${kept.length} kept, ${formatByteSize(bytes)}` : '';
  return [rolledBack, held].filter(Boolean).join('; ') || '-';
}

const LIST_USAGE = 'runs list [--installation NAME] [--limit N] [--offset N] [--json]';

/** Every run newest first, or the page `--limit`/`--offset`; the JSON says the total and whether more follow. */
export const listRuns: Command = async (ctx) => {
  requireArgs(ctx, 0, `no arguments: ${LIST_USAGE}`);
  const installation = typeof ctx.options.installation === 'string' ? ctx.options.installation : undefined;
  const limit = wholeNumberOption(ctx, 'limit', 1, Number.MAX_SAFE_INTEGER);
  const offset = wholeNumberOption(ctx, 'offset', 0, Number.MAX_SAFE_INTEGER);
  // The list shows no steps (`runs show` does): they are not built for it.
  const { rows, record, ...counts } = ctx.history().rowPage({ ...(installation ? { installation } : {}), ...(limit ? { limit } : {}), ...(offset ? { offset } : {}) }, { steps: false });
  if (ctx.out.json) {
    // Thousands of runs: each made its record, and written, a batch at a time.
    printJsonList(ctx.out, { runs: rows, ...counts }, 'runs', undefined, (row: RunRow) => {
      const { steps: _steps, ...summary } = record(row);
      return summary;
    });
    return EXIT_OK;
  }
  const page = { runs: rows.map(record), ...counts };
  if (page.total === 0) {
    ctx.out.stdout('No restore runs yet.\n');
    return EXIT_OK;
  }
  const { runs } = page;
  if (runs.length > 0) {
    ctx.out.stdout(
      `${table([
        ['RUN', 'INSTALLATION', 'STATUS', 'STARTED', 'KEPT SCHEMAS', 'REPLICAS'],
        ...runs.map((r) => [r.runId, runInstallationLabel(r), r.interrupted ? 'interrupted' : r.status, r.createdAt, keptColumn(r), r.replicas.map((x) => `${x.replica.split('/')[1]}:${x.status}`).join(' ')]),
      ])}\n`,
    );
  }
  const shown = runs.length === 0 ? 'none' : `${page.offset + 1}–${page.offset + runs.length}`;
  if (page.offset > 0 || page.truncated) {
    const next = page.truncated ? ` More: \`runs list --offset ${page.offset + runs.length}${limit ? ` --limit ${limit}` : ''}\`.` : '';
    ctx.out.stdout(`Runs ${shown} of ${page.total}, newest first.${next}\n`);
  }
  return EXIT_OK;
};

export const showRun: Command = async (ctx) => {
  const [runId] = requireArgs(ctx, 1, 'RUN_ID: runs show RUN_ID [--json]');
  const record = ctx.core().restore.record(runId!, true);
  if (ctx.out.json) printJson(ctx.out, record);
  else ctx.out.stdout(formatRunStory(record));
  return EXIT_OK;
};
