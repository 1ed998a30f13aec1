// The rollback of a side-by-side run, without a database: the plan (stop, swap back with its
// exact SQL, start, verify; no master step), the history's refusals (in place, unfinished,
// discarded, already rolled back, a later run first), and what the history records: the
// kept schema's size and state on the run's record, and the rollback on both records.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { planRestore } from '../../../src/main/core/restore/planRestore';
import { planRollback } from '../../../src/main/core/restore/planRollback';
import { chooseRollbackReplicas, RollbackRefusedError } from '../../../src/main/core/restore/rollbackEligibility';
import { keptSchemaName, runTag } from '../../../src/main/core/restore/sideBySideNames';
import { RunStore } from '../../../src/main/core/history/runStore';
import { toRunRecord } from '../../../src/main/core/history/runRecord';
import { openStore, type Store } from '../../../src/main/core/store/database';
import { inMasterPhase, type RestoreMode } from '../../../src/shared/restorePlan';
import { InstallationSchema } from '../../../src/shared/profiles';
import { isUsageError } from '../../../src/main/core/errors';

const installation = InstallationSchema.parse({
  name: 'prod-eu',
  onlineBackup: false,
  servers: [
    { name: 'mls', role: 'master', db: { host: 'db', database: 'coremedia', user: 'cm_master' }, control: { stop: 'stop-mls', start: 'start-mls' } },
    { name: 'rls1', role: 'replica', db: { host: 'db1', database: 'coremedia', user: 'cm_rls1' }, control: { stop: 'stop-rls1', start: 'start-rls1', status: 'status-rls1' } },
    { name: 'rls2', role: 'replica', db: { host: 'db2', database: 'cm2', user: 'cm_rls2' } },
  ],
});

let dir: string;
let store: Store;
let runs: RunStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rd-rollback-'));
  store = openStore(join(dir, 'rd.sqlite'));
  runs = new RunStore(store.db);
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A finished run as the runner leaves it: every step done, each swap capturing its kept schema. */
function seedRun(mode: RestoreMode, options: { status?: 'succeeded' | 'failed'; swapped?: string[]; createdAt?: string } = {}): string {
  const plan = planRestore(installation, { replicas: [], backupDir: '/b', mode });
  const runId = runs.create(plan);
  const swapped = options.swapped ?? plan.replicas;
  for (const s of plan.steps) {
    if (s.id === 'swap' && !swapped.includes(s.replica!)) continue;
    const captured = s.id === 'swap' ? { keptSchema: keptSchemaName(`cm_${s.replica}`, runId), keptBytes: 12_345_678 } : {};
    runs.setStep(runId, s.seq, 'done', { captured });
    runs.kept.recordStepOutcome(runId, plan, s, captured);
  }
  for (const r of plan.replicas) runs.setReplica(runId, r, swapped.includes(r) ? 'succeeded' : 'failed');
  runs.finish(runId, options.status ?? 'succeeded', null);
  if (options.createdAt) store.db.prepare('UPDATE runs SET created_at = ? WHERE id = ?').run(options.createdAt, runId);
  return runId;
}

const choose = (runId: string, requested: string[] = []) =>
  chooseRollbackReplicas(runs.get(runId)!, requested, { kept: runs.kept.list(), others: runs.list({ limit: 1000 }) });

function refusal(f: () => unknown): RollbackRefusedError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(RollbackRefusedError);
    expect(isUsageError(e)).toBe(true);
    return e as RollbackRefusedError;
  }
  throw new Error('expected a refusal');
}

describe('rollback plan', () => {
  it('stops, swaps back with the exact rename SQL, starts and verifies each replica; nothing on the master', () => {
    const runId = '20261202-013324-ab12cd';
    const plan = planRollback({ installation, runId, replicas: ['rls1', 'rls2'], backup: { mode: 'dump', dir: '/b' } });
    expect(plan).toMatchObject({ kind: 'rollback', rollbackOf: runId, mode: 'side-by-side', replicas: ['rls1', 'rls2'] });
    expect(plan.steps.map((s) => `${s.id}:${s.replica}`)).toEqual(['stop-replica', 'swap-back', 'start-replica', 'verify'].flatMap((id) => [`${id}:rls1`]).concat(['stop-replica', 'swap-back', 'start-replica', 'verify'].map((id) => `${id}:rls2`)));
    expect(plan.steps.filter((s) => inMasterPhase(plan, s))).toEqual([]);
    expect(plan.steps.filter((s) => s.destructive).map((s) => s.id)).toEqual(['swap-back', 'swap-back']);
    const tag = runTag(runId);
    const sql = plan.steps.find((s) => s.id === 'swap-back' && s.replica === 'rls1')!.actions.map((a) => a.text);
    expect(sql).toContain('BEGIN');
    expect(sql).toContain("SET LOCAL lock_timeout = '10000ms'");
    expect(sql).toContain(`ALTER SCHEMA "cm_rls1" RENAME TO "cm_rls1__rd_undone_${tag}"`);
    expect(sql).toContain(`ALTER SCHEMA "cm_rls1__rd_prev_${tag}" RENAME TO "cm_rls1"`);
    expect(sql.indexOf(`ALTER SCHEMA "cm_rls1" RENAME TO "cm_rls1__rd_undone_${tag}"`)).toBeLessThan(sql.indexOf(`ALTER SCHEMA "cm_rls1__rd_prev_${tag}" RENAME TO "cm_rls1"`));
    expect(sql.at(-1)).toBe('COMMIT');
    expect(plan.modeReason).toMatch(/rls1: steps 1–3; rls2: steps 5–7/);
  });

  it('puts back the key file the run set aside, after the swap back and before the start, only where it set one aside', () => {
    const runId = '20261202-013324-ab12cd';
    const withDirs = { ...installation, servers: installation.servers.map((s) => ({ ...s, installDir: `/opt/${s.name}` })) };
    const plan = planRollback({ installation: withDirs, runId, replicas: ['rls1', 'rls2'], restoreKeyFor: ['rls1'], backup: { mode: 'dump', dir: '/b' } });
    expect(plan.steps.map((s) => `${s.id}:${s.replica}`).slice(0, 5)).toEqual(['stop-replica:rls1', 'swap-back:rls1', 'restore-key:rls1', 'start-replica:rls1', 'verify:rls1']);
    expect(plan.steps.filter((s) => s.id === 'restore-key').map((s) => s.replica)).toEqual(['rls1']);
    const copy = plan.steps.find((s) => s.id === 'restore-key')!.actions[0]!;
    expect(copy).toMatchObject({ kind: 'copy', text: expect.stringContaining(`/opt/rls1/etc/keys/coremedia.cm_rls1.rijndael.before-${runId} → /opt/rls1/etc/keys/coremedia.cm_rls1.rijndael`) });
    // The key goes back while the replica is down: its window covers the step.
    expect(plan.modeReason).toMatch(/rls1: steps 1–4; rls2: steps 6–8/);
  });
});

describe('which runs and replicas may be rolled back', () => {
  it('takes every replica the run swapped, or the ones named', () => {
    const runId = seedRun('side-by-side', { status: 'succeeded' });
    expect(choose(runId)).toEqual(['rls1', 'rls2']);
    expect(choose(runId, ['RLS2'])).toEqual(['rls2']);
    expect(refusal(() => choose(runId, ['rls9'])).message).toContain('did not restore a replica "rls9"');
  });

  it('refuses an in-place run, an unfinished one, and a replica it did not swap', () => {
    expect(refusal(() => choose(seedRun('in-place'))).message).toContain('restored in place');
    const failed = seedRun('side-by-side', { status: 'failed', swapped: ['rls1'] });
    expect(refusal(() => choose(failed)).hint).toContain(`replica-desk runs resume ${failed}`);
    const partial = seedRun('side-by-side', { swapped: ['rls1'] });
    expect(choose(partial)).toEqual(['rls1']);
    expect(refusal(() => choose(partial, ['rls2'])).message).toContain('prod-eu/rls2 was not swapped by it');
  });

  it('refuses a discarded kept schema, a second rollback, and asks to roll back a later run first', () => {
    const first = seedRun('side-by-side', { createdAt: '2026-01-01T00:00:00.000Z' });
    runs.kept.markDiscarded({ runId: first, replica: 'rls2', name: keptSchemaName('cm_rls2', first), kind: 'prev', bytes: 99 });
    expect(refusal(() => choose(first, ['rls2'])).message).toContain('was discarded');

    const later = seedRun('side-by-side', { createdAt: '2026-02-01T00:00:00.000Z' });
    const blocked = refusal(() => choose(first, ['rls1']));
    expect(blocked.message).toContain(`run ${later}`);
    expect(blocked.hint).toContain(`replica-desk runs rollback ${later}`);

    // The later run rolled back (its swap back recorded): the first may be rolled back now.
    const rollback = planRollback({ installation, runId: later, replicas: ['rls1'], backup: { mode: 'dump', dir: '/b' } });
    const rollbackId = runs.create(rollback);
    const swapBack = rollback.steps.find((s) => s.id === 'swap-back')!;
    runs.kept.recordStepOutcome(rollbackId, rollback, swapBack, { undoneSchema: `cm_rls1__rd_undone_${runTag(later)}`, undoneBytes: 777 });
    for (const s of rollback.steps) runs.setStep(rollbackId, s.seq, 'done');
    runs.setReplica(rollbackId, 'rls1', 'succeeded');
    runs.finish(rollbackId, 'succeeded', null);
    expect(choose(first, ['rls1'])).toEqual(['rls1']);
    expect(refusal(() => choose(later, ['rls1'])).message).toContain(`already rolled back by run ${rollbackId}`);
    expect(refusal(() => choose(rollbackId)).message).toContain('itself a rollback');

    // Both records say so: the rolled-back run per replica, the rollback with kind and rollbackOf.
    const kept = [...runs.kept.list({ runIds: [later] }), ...runs.kept.byRollback(rollbackId)];
    const laterRecord = toRunRecord(runs.get(later)!, undefined, { kept });
    const rls1 = laterRecord.replicas.find((r) => r.replica === 'prod-eu/rls1')!;
    expect(rls1.rolledBack).toMatchObject({ byRun: rollbackId });
    expect(rls1.kept).toMatchObject({ schema: `cm_rls1__rd_undone_${runTag(later)}`, kind: 'undone', bytes: 777, state: 'kept', byRun: rollbackId });
    const rls2 = laterRecord.replicas.find((r) => r.replica === 'prod-eu/rls2')!;
    expect(rls2.kept).toMatchObject({ kind: 'prev', bytes: 12_345_678, state: 'kept' });
    expect(rls2.rolledBack).toBeNull();
    const rollbackRecord = toRunRecord(runs.get(rollbackId)!, undefined, { kept });
    expect(rollbackRecord).toMatchObject({ kind: 'rollback', rollbackOf: later, mode: 'side-by-side' });
    expect(rollbackRecord.replicas[0]!.kept).toMatchObject({ kind: 'undone', state: 'kept' });
  });
});
