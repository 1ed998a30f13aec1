import { requireArgs, type Command } from '../context';
import { EXIT_OK, printJson, table } from '../output';
import { formatRunStory } from '../restoreOutput';

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
      ['RUN', 'INSTALLATION', 'STATUS', 'STARTED', 'REPLICAS'],
      ...runs.map((r) => [r.runId, r.installation, r.interrupted ? 'interrupted' : r.status, r.createdAt, r.replicas.map((x) => `${x.replica.split('/')[1]}:${x.status}`).join(' ')]),
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
