// The wizard's phases and downtime windows, on step lists in the order the core plans them
// (tests/unit/restore/sideBySidePlan.test.ts pins that order): side by side a replica's stop
// is its own step (not the master phase), and each replica is down only from its stop to its
// start; in place the backup runs inside every window.
import { describe, expect, it } from 'vitest';
import type { PlannedStep, RestoreMode, RestorePlan } from '../../../src/shared/restorePlan';
import { downtimeWindows, groupStepsByPhase, isSwapStep, renameStatements, replicasDownDuring } from '../../../src/renderer/src/restore/stepPhases';

const step = (seq: number, id: PlannedStep['id'], replica: string | null, actions: PlannedStep['actions'] = []): PlannedStep => ({ seq, id, replica, title: id, destructive: false, manual: false, actions });
const numbered = (ids: Array<[PlannedStep['id'], string | null]>) => ids.map(([id, replica], i) => step(i + 1, id, replica));
const MASTER_BEFORE: Array<[PlannedStep['id'], null]> = [['confirm-publications', null]];
const MASTER_BACKUP: Array<[PlannedStep['id'], null]> = [['stop-master', null], ['dump-master', null], ['start-master', null]];
const sideBySideOf = (r: string): Array<[PlannedStep['id'], string]> =>
  (['restore-shadow', 'fixups-shadow', 'verify-shadow', 'stop-replica', 'swap', 'start-replica', 'verify'] as const).map((id) => [id, r]);
const inPlaceOf = (r: string): Array<[PlannedStep['id'], string]> => (['drop-schema', 'restore', 'fixups', 'start-replica', 'verify'] as const).map((id) => [id, r]);

function plan(mode: RestoreMode): Pick<RestorePlan, 'mode' | 'steps'> {
  if (mode === 'side-by-side') return { mode, steps: numbered([...MASTER_BEFORE, ...MASTER_BACKUP, ...sideBySideOf('rls1'), ...sideBySideOf('rls2')]) };
  return { mode, steps: numbered([...MASTER_BEFORE, ['stop-replica', 'rls1'], ['stop-replica', 'rls2'], ...MASTER_BACKUP, ...inPlaceOf('rls1'), ...inPlaceOf('rls2')]) };
}
const title = (r: string | null) => r ?? 'Master';
const seqOf = (p: ReturnType<typeof plan>, id: string, replica: string | null) => p.steps.find((s) => s.id === id && s.replica === replica)!.seq;

describe('steps by phase', () => {
  it('side by side: the master phase is the backup, each replica stops within its own steps', () => {
    const p = plan('side-by-side');
    const groups = groupStepsByPhase(p, p.steps, title);
    expect(groups.map((g) => [g.title, g.steps.map((s) => s.id)])).toEqual([
      ['Back up the master (the replicas keep serving)', ['confirm-publications', 'stop-master', 'dump-master', 'start-master']],
      ['rls1', ['restore-shadow', 'fixups-shadow', 'verify-shadow', 'stop-replica', 'swap', 'start-replica', 'verify']],
      ['rls2', ['restore-shadow', 'fixups-shadow', 'verify-shadow', 'stop-replica', 'swap', 'start-replica', 'verify']],
    ]);
    // Every step is shown exactly once.
    expect(groups.flatMap((g) => g.steps).length).toBe(p.steps.length);
  });

  it('in place: the replicas are stopped in the master phase, before the backup', () => {
    const p = plan('in-place');
    const groups = groupStepsByPhase(p, p.steps, title);
    expect(groups[0]!.title).toBe('Stop the replicas and back up the master');
    expect(groups[0]!.steps.map((s) => `${s.id}${s.replica ? `:${s.replica}` : ''}`)).toEqual([
      'confirm-publications',
      'stop-replica:rls1',
      'stop-replica:rls2',
      'stop-master',
      'dump-master',
      'start-master',
    ]);
    expect(groups.slice(1).map((g) => g.replica)).toEqual(['rls1', 'rls2']);
  });

  it('a plan recorded before side-by-side existed has no mode, and groups as in place', () => {
    const old = plan('in-place');
    expect(groupStepsByPhase({}, old.steps, title)[0]!.steps.some((s) => s.id === 'stop-replica')).toBe(true);
  });
});

describe('downtime windows', () => {
  it('side by side: from the replica\'s stop to its start, its own steps only', () => {
    const p = plan('side-by-side');
    const windows = downtimeWindows(p.steps);
    expect(windows).toEqual([
      { replica: 'rls1', fromSeq: seqOf(p, 'stop-replica', 'rls1'), toSeq: seqOf(p, 'start-replica', 'rls1') },
      { replica: 'rls2', fromSeq: seqOf(p, 'stop-replica', 'rls2'), toSeq: seqOf(p, 'start-replica', 'rls2') },
    ]);
    const down = p.steps.filter((s) => replicasDownDuring(windows, s).length > 0).map((s) => `${s.id}:${s.replica}`);
    expect(down).toEqual(['stop-replica:rls1', 'swap:rls1', 'start-replica:rls1', 'stop-replica:rls2', 'swap:rls2', 'start-replica:rls2']);
    // The backup and the shadow restore run while the replicas serve.
    expect(replicasDownDuring(windows, p.steps.find((s) => s.id === 'dump-master')!)).toEqual([]);
  });

  it('in place: both replicas are down through the backup', () => {
    const p = plan('in-place');
    const windows = downtimeWindows(p.steps);
    expect(replicasDownDuring(windows, p.steps.find((s) => s.id === 'dump-master')!)).toEqual(['rls1', 'rls2']);
    expect(replicasDownDuring(windows, p.steps.find((s) => s.id === 'restore' && s.replica === 'rls2')!)).toEqual(['rls2']);
    expect(replicasDownDuring(windows, p.steps.find((s) => s.id === 'verify' && s.replica === 'rls1')!)).toEqual([]);
  });

  it('a window without a start step runs to the end of the plan', () => {
    const steps = [
      { seq: 1, id: 'stop-replica', replica: 'rls1' },
      { seq: 2, id: 'restore', replica: 'rls1' },
    ];
    expect(downtimeWindows(steps)).toEqual([{ replica: 'rls1', fromSeq: 1, toSeq: null }]);
    expect(replicasDownDuring(downtimeWindows(steps), steps[1]!)).toEqual(['rls1']);
  });
});

describe('the swap\'s rename SQL', () => {
  it('is the ALTER SCHEMA statements of the swap step, nothing else of it', () => {
    const where = 'db1:5432/coremedia';
    const swap = step(12, 'swap', 'rls1', [
      { kind: 'sql', where, text: '-- right before: rls1 proved stopped again (status and sessions)' },
      { kind: 'sql', where, text: 'BEGIN' },
      { kind: 'sql', where, text: "SET LOCAL lock_timeout = '5000ms'" },
      { kind: 'sql', where, text: 'ALTER SCHEMA "cm_rls1" RENAME TO "cm_rls1__rd_prev_ab12cd34"' },
      { kind: 'sql', where, text: 'ALTER SCHEMA "cm_rls1__rd_new" RENAME TO "cm_rls1"' },
      { kind: 'command', where, text: 'ALTER SCHEMA in a command is not SQL the swap runs' },
      { kind: 'sql', where, text: 'COMMIT' },
    ]);
    expect(renameStatements(swap)).toEqual(['ALTER SCHEMA "cm_rls1" RENAME TO "cm_rls1__rd_prev_ab12cd34"', 'ALTER SCHEMA "cm_rls1__rd_new" RENAME TO "cm_rls1"']);
    expect(renameStatements(step(3, 'dump-master', null))).toEqual([]);
  });
});

describe('a rollback', () => {
  // As the core plans a rollback: per replica, stop, swap back, start, verify; nothing on the master.
  const rollback = { mode: 'side-by-side' as const, kind: 'rollback' as const, steps: numbered([...(['stop-replica', 'swap-back', 'start-replica', 'verify'] as const).map((id): [PlannedStep['id'], string] => [id, 'rls1'])]) };

  it('has no master phase: the stop is the replica\'s own step, in its downtime window with the swap back', () => {
    const groups = groupStepsByPhase(rollback, rollback.steps, title);
    expect(groups.map((g) => [g.title, g.steps.map((s) => s.id)])).toEqual([['rls1', ['stop-replica', 'swap-back', 'start-replica', 'verify']]]);
    const windows = downtimeWindows(rollback.steps);
    expect(windows).toEqual([{ replica: 'rls1', fromSeq: 1, toSeq: 3 }]);
    expect(rollback.steps.filter((s) => replicasDownDuring(windows, s).length > 0).map((s) => s.id)).toEqual(['stop-replica', 'swap-back', 'start-replica']);
    expect(isSwapStep(rollback.steps[1]!)).toBe(true);
  });
});
