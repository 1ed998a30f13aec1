// Migration 10's run summaries, on real SQLite: runs recorded before it get their summaries
// from the migration, runs recorded after from the triggers with every step write, and either
// way the list (which reads no step rows) says of each run what its steps say — checked here
// against the steps themselves, the way the record was derived before the summaries.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dumpFactsOf } from '../../../src/main/core/history/runDump';
import { downtimeOf, toRunRecord } from '../../../src/main/core/history/runRecord';
import { RunStore, type RunRow } from '../../../src/main/core/history/runStore';
import { planRestore } from '../../../src/main/core/restore/planRestore';
import { openStore, schemaVersion } from '../../../src/main/core/store/database';
import { LATEST_SCHEMA_VERSION, migrations } from '../../../src/main/core/store/migrations';
import { InstallationSchema } from '../../../src/shared/profiles';

const dirs: string[] = [];
const tempFile = () => {
  const dir = mkdtempSync(join(tmpdir(), 'rd-run-summary-'));
  dirs.push(dir);
  return join(dir, 'replica-desk.sqlite');
};
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

const installation = InstallationSchema.parse({
  name: 'prod',
  servers: [
    { name: 'mls', role: 'master', db: { host: 'h', database: 'd', user: 'cm_master' } },
    { name: 'rls1', role: 'replica', db: { host: 'h', database: 'd', user: 'cm_rls1' } },
    { name: 'rls2', role: 'replica', db: { host: 'h', database: 'd', user: 'cm_rls2' } },
  ],
});
const plan = (mode: 'side-by-side' | 'in-place') => planRestore(installation, { replicas: [], backupDir: '/b', mode, modeWhy: 'test' });
const seqOf = (p: ReturnType<typeof plan>, id: string, replica: string | null) => p.steps.find((s) => s.id === id && s.replica === replica)!.seq;
const backup = { file: '/nonexistent/prod-mls.dump', bytes: 123, sha256: 'ab' };
const head = (n: number) => ({ sequenceNo: String(1_000_000 + n), idTag: String(1000 + n) });

/** A side-by-side run: rls1 swapped, restarted and verified; rls2 failed at its swap. */
function sideBySideRun(runs: RunStore): string {
  const p = plan('side-by-side');
  const runId = runs.create(p);
  runs.setStep(runId, seqOf(p, 'dump-master', null), 'done', { captured: { backup } });
  runs.setStep(runId, seqOf(p, 'fixups-shadow', 'rls1'), 'done', { captured: { changelog: head(1) } });
  runs.setStep(runId, seqOf(p, 'stop-replica', 'rls1'), 'done', { captured: { stopRequestedAt: 1_000 } });
  runs.setStep(runId, seqOf(p, 'swap', 'rls1'), 'done', { captured: { keptSchema: 'cm_rls1__rd_prev_abcd1234', keptBytes: 4096 } });
  runs.setStep(runId, seqOf(p, 'start-replica', 'rls1'), 'done', { captured: { runningAt: 4_500 } });
  runs.setStep(runId, seqOf(p, 'verify', 'rls1'), 'done', { captured: { checks: [{ id: 'table-counts', ok: true }] } });
  runs.setStep(runId, seqOf(p, 'fixups-shadow', 'rls2'), 'done', { captured: { changelog: head(2) } });
  runs.setStep(runId, seqOf(p, 'stop-replica', 'rls2'), 'done', { captured: { stopRequestedAt: 2_000 } });
  runs.setStep(runId, seqOf(p, 'swap', 'rls2'), 'failed', { message: 'lock timeout' });
  runs.setReplica(runId, 'rls1', 'succeeded');
  runs.setReplica(runId, 'rls2', 'failed', 'lock timeout');
  runs.finish(runId, 'failed', 'rls2 failed');
  return runId;
}

/** An in-place run that failed in rls2's restore (its restore step still to do). */
function inPlaceRun(runs: RunStore): string {
  const p = plan('in-place');
  const runId = runs.create(p);
  runs.setStep(runId, seqOf(p, 'stop-replica', 'rls1'), 'done', { captured: { stopRequestedAt: 10 } });
  runs.setStep(runId, seqOf(p, 'dump-master', null), 'done', { captured: { backup } });
  runs.setStep(runId, seqOf(p, 'restore', 'rls1'), 'done');
  runs.setStep(runId, seqOf(p, 'fixups', 'rls1'), 'done', { captured: { changelog: head(3) } });
  runs.setStep(runId, seqOf(p, 'start-replica', 'rls1'), 'skipped', { captured: { runningAt: 20 } });
  runs.setStep(runId, seqOf(p, 'restore', 'rls2'), 'failed', { message: 'disk full' });
  runs.setReplica(runId, 'rls1', 'succeeded');
  runs.setReplica(runId, 'rls2', 'failed');
  runs.finish(runId, 'failed', 'disk full');
  return runId;
}

/** What the record says of each replica, derived from the run's steps as before the summaries. */
function fromSteps(run: RunRow) {
  const first = (ids: string[], replica: string) => run.steps.find((s) => ids.includes(s.id) && s.replica === replica);
  const done = (s: ReturnType<typeof first>) => s?.status === 'done' || s?.status === 'skipped';
  return {
    replicas: run.replicas.map(({ replica }) => {
      const swap = first(['swap'], replica);
      return {
        changelog: first(['fixups', 'fixups-shadow'], replica)?.captured.changelog ?? null,
        verification: first(['verify'], replica)?.captured.checks ?? null,
        downtimeMs: downtimeOf(first(['stop-replica'], replica), first(['start-replica'], replica)),
        keptSchema: done(swap) && typeof swap!.captured.keptSchema === 'string' ? swap!.captured.keptSchema : null,
      };
    }),
    backup: run.steps.find((s) => s.id === 'dump-master')?.captured.backup ?? null,
    restoreLeft: run.steps.some((s) => s.id === 'restore' && !done(s) && run.replicas.find((r) => r.replica === s.replica)?.status !== 'succeeded'),
  };
}

/** The same, as the list (no step rows read) says it. */
function fromList(run: RunRow) {
  const record = toRunRecord(run, undefined, { compact: true, withoutSteps: true });
  return {
    replicas: record.replicas.map(({ changelog, verification, downtimeMs, keptSchema }) => ({ changelog, verification, downtimeMs, keptSchema })),
    backup: dumpFactsOf(run).backup,
    restoreLeft: dumpFactsOf(run).restoreLeft,
  };
}

function expectListSaysWhatStepsSay(runs: RunStore, runIds: string[]): void {
  const listed = runs.list({}, { steps: false });
  expect(listed.map((r) => r.runId).sort()).toEqual([...runIds].sort());
  for (const row of listed) {
    expect(row.steps).toEqual([]);
    expect(fromList(row)).toEqual(fromSteps(runs.get(row.runId)!));
  }
}

describe('migration 10: run summaries', () => {
  it('fills in the summaries of runs recorded before it, so the list says what their steps say', () => {
    const file = tempFile();
    const old = openStore(file, { migrations: migrations.filter((m) => m.version <= 9) });
    const oldRuns = new RunStore(old.db);
    const runIds = [sideBySideRun(oldRuns), inPlaceRun(oldRuns)];
    old.close();

    const store = openStore(file);
    expect(schemaVersion(store.db)).toBe(LATEST_SCHEMA_VERSION);
    const runs = new RunStore(store.db);
    expectListSaysWhatStepsSay(runs, runIds);
    // The values themselves, by hand: downtime from stop to start, the kept schema, the changelog.
    const [sideBySide] = runs.list({ limit: 1, offset: 1 }, { steps: false });
    const record = toRunRecord(sideBySide!, undefined, { compact: true, withoutSteps: true });
    expect(record.replicas.map((r) => [r.downtimeMs, r.keptSchema, r.changelog])).toEqual([
      [3_500, 'cm_rls1__rd_prev_abcd1234', head(1)],
      [null, null, head(2)],
    ]);
    expect(record.replicas[0]!.kept).toMatchObject({ schema: 'cm_rls1__rd_prev_abcd1234', bytes: 4096, state: 'kept' });
    expect(record.changelog).toEqual(head(1));
    store.close();
  });

  it('fills in what the triggers would have kept', () => {
    const file = tempFile();
    const old = openStore(file, { migrations: migrations.filter((m) => m.version <= 9) });
    const oldRuns = new RunStore(old.db);
    sideBySideRun(oldRuns);
    inPlaceRun(oldRuns);
    old.close();
    const store = openStore(file);
    const summaries = () => store.db.prepare('SELECT r.plan_summary, r.dump_backup, rr.summary FROM runs r JOIN run_replicas rr ON rr.run_id = r.id ORDER BY rr.rowid').all();
    const backfilled = summaries();
    expect(backfilled.every((s) => (s as { summary: string }).summary !== '{}')).toBe(true);
    // Rewriting every step (and plan) fires the triggers; they come to the same.
    store.db.exec('UPDATE run_steps SET status = status; UPDATE runs SET plan = plan;');
    expect(summaries()).toEqual(backfilled);
    store.close();
  });

  it('keeps the summaries in step with every step write of a run recorded after it', () => {
    const store = openStore(tempFile());
    const runs = new RunStore(store.db);
    const p = plan('side-by-side');
    const runId = runs.create(p);
    expectListSaysWhatStepsSay(runs, [runId]);
    runs.setStep(runId, seqOf(p, 'stop-replica', 'rls1'), 'running');
    runs.setStep(runId, seqOf(p, 'stop-replica', 'rls1'), 'done', { captured: { stopRequestedAt: 100 } });
    runs.setStep(runId, seqOf(p, 'swap', 'rls1'), 'done', { captured: { keptSchema: 'cm_rls1__rd_prev_x', keptBytes: 1 } });
    expectListSaysWhatStepsSay(runs, [runId]);
    runs.setStep(runId, seqOf(p, 'start-replica', 'rls1'), 'done', { captured: { runningAt: 350 } });
    expect(toRunRecord(runs.list({}, { steps: false })[0]!).replicas[0]!.downtimeMs).toBe(250);
    runs.finish(runId, 'cancelled', null);
    const more = [sideBySideRun(runs), inPlaceRun(runs)];
    expectListSaysWhatStepsSay(runs, [runId, ...more]);
    store.close();
  });
});
