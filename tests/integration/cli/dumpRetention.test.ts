// Dump retention through the built CLI against real restores: each run's dump stays in the
// data directory, the automatic prune after each run keeps the newest 2 (the default) and
// every dump a resumable run needs, `runs prune --keep 1` does the same by hand, `runs show`
// and `runs dumps` say "deleted" instead of pointing at a missing file, and a resume that
// would read a dump that is gone is refused before anything is touched.
import { existsSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunStore } from '../../../src/main/core/history/runStore';
import { openStore } from '../../../src/main/core/store/database';
import { assertCliBuilt } from '../../harness/cli';
import { startRestoreEnvironment, type RestoreEnvironment } from '../../harness/restoreEnvironment';
import { seedRunWithDump, type DumpRunOptions } from '../../harness/runDumpSeed';

let env: RestoreEnvironment;
let seeded: Record<'resumable' | 'oldest' | 'older', { runId: string; file: string }>;
const restores: Array<{ runId: string; file: string; bytes: number }> = [];

/** Runs from earlier days, written into the CLI's own database with real dump files. */
function seed(runs: Record<string, Omit<DumpRunOptions, 'installation'>>) {
  const store = openStore(join(env.home, 'replica-desk.sqlite'));
  try {
    const runStore = new RunStore(store.db);
    return Object.fromEntries(Object.entries(runs).map(([k, o]) => [k, seedRunWithDump(runStore, store.db, join(env.home, 'backups'), { ...o, installation: env.installation })]));
  } finally {
    store.close();
  }
}

async function restoreRls1() {
  const result = await env.cli(['restore', env.installation, '--replica', 'rls1', '--yes', '--json']);
  if (result.code !== 0) console.error(result.stderr);
  expect(result.code).toBe(0);
  const record = JSON.parse(result.stdout);
  restores.push({ runId: record.runId, file: record.backup.file, bytes: record.backup.bytes });
  return record;
}

async function json(args: string[]) {
  const result = await env.cli([...args, '--json']);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout);
}

beforeAll(async () => {
  assertCliBuilt();
  env = await startRestoreEnvironment({ withoutSsh: true });
  seeded = seed({
    // Failed before its restore: `runs resume` would read its dump, however old it is.
    resumable: { hoursAgo: 100, outcome: 'failed', restoreDone: false, replica: 'rls2' },
    oldest: { hoursAgo: 90, outcome: 'succeeded' },
    older: { hoursAgo: 80, outcome: 'succeeded' },
  }) as typeof seeded;
}, 240_000);

afterAll(async () => {
  await env?.stop();
});

describe('dump retention through the CLI', () => {
  it('after each run keeps the newest 2 dumps and the one a resumable run needs', async () => {
    const first = await restoreRls1();
    expect(first.dump).toMatchObject({ file: first.backup.file, state: 'present', bytes: statSync(first.backup.file).size });
    expect(existsSync(seeded.oldest.file)).toBe(false);
    expect(existsSync(seeded.older.file)).toBe(true);
    expect(existsSync(seeded.resumable.file)).toBe(true);

    await restoreRls1();
    expect(existsSync(seeded.older.file)).toBe(false);
    expect(existsSync(restores[0]!.file)).toBe(true);
    expect(existsSync(restores[1]!.file)).toBe(true);
    expect(existsSync(seeded.resumable.file)).toBe(true);

    const shown = await json(['runs', 'show', seeded.oldest.runId]);
    expect(shown.dump).toMatchObject({ file: seeded.oldest.file, state: 'deleted', deleted: { reason: 'retention' } });
    expect(shown.log.map((l: { message: string }) => l.message).join('\n')).toContain(`dump ${seeded.oldest.file}`);
  }, 300_000);

  it('`runs dumps` lists every dump with its size or "deleted"', async () => {
    const { dumps, keep } = await json(['runs', 'dumps']);
    expect(keep).toBe(2);
    expect(dumps.map((d: { runId: string; state: string }) => [d.runId, d.state])).toEqual([
      [restores[1]!.runId, 'present'],
      [restores[0]!.runId, 'present'],
      [seeded.older.runId, 'deleted'],
      [seeded.oldest.runId, 'deleted'],
      [seeded.resumable.runId, 'present'],
    ]);
    expect(dumps[0].bytes).toBe(restores[1]!.bytes);
    const human = await env.cli(['runs', 'dumps']);
    expect(human.stdout).toMatch(new RegExp(`${seeded.oldest.runId} .* deleted \\(retention, `));
  });

  it('`runs prune --keep 1` says what it deletes and why it keeps the rest; --dry-run deletes nothing', async () => {
    const dry = await json(['runs', 'prune', '--keep', '1', '--dry-run']);
    expect(dry.deleted.map((d: { runId: string }) => d.runId)).toEqual([restores[0]!.runId]);
    expect(existsSync(restores[0]!.file)).toBe(true);

    const human = await env.cli(['runs', 'prune', '--keep', '1']);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toContain(`Deleted 1 dump(s)`);
    expect(human.stdout).toContain(`${restores[0]!.runId}`);
    expect(human.stdout).toContain(restores[0]!.file);
    expect(human.stdout).toMatch(new RegExp(`${restores[1]!.runId} .* newest 1`));
    expect(human.stdout).toMatch(new RegExp(`${seeded.resumable.runId} .* needed by resumable run ${seeded.resumable.runId}`));
    expect(existsSync(restores[0]!.file)).toBe(false);
    expect(existsSync(restores[1]!.file)).toBe(true);
    expect(existsSync(seeded.resumable.file)).toBe(true);

    const story = await env.cli(['runs', 'show', restores[0]!.runId]);
    expect(story.stdout).toContain('dump deleted (by retention');

    const again = await json(['runs', 'prune', '--keep', '1']);
    expect(again.deleted).toEqual([]);
    expect(again.kept.map((d: { runId: string; reasons: Array<{ text: string }> }) => [d.runId, d.reasons.map((r) => r.text)])).toEqual([
      [restores[1]!.runId, ['newest 1']],
      [seeded.resumable.runId, [`needed by resumable run ${seeded.resumable.runId}`]],
    ]);
  });

  it('refuses --keep below 1 as bad usage, changing nothing', async () => {
    for (const keep of ['0', 'two', '-1']) {
      const result = await env.cli(['runs', 'prune', '--keep', keep]);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/keep/);
    }
    expect(existsSync(restores[1]!.file)).toBe(true);
  });

  it('refuses to resume a run whose dump is gone, before anything is stopped', async () => {
    rmSync(seeded.resumable.file);
    const result = await env.cli(['runs', 'resume', seeded.resumable.runId, '--yes', '--json']);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout).error).toMatchObject({ code: 'dump-deleted', message: expect.stringContaining(seeded.resumable.file) });
    const after = await json(['runs', 'show', seeded.resumable.runId]);
    expect(after).toMatchObject({ status: 'failed', resumable: false, dump: { state: 'missing' } });
  });
});
