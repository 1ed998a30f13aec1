import { describe, expect, it } from 'vitest';
import { layoutTimeline, tickInterval, TIMELINE_GEOMETRY, truncateLabel } from '../../../src/renderer/src/history/timelineLayout';
import { runRecord, step } from './runRecordFixture';

const t0 = Date.parse('2026-03-10T12:00:00.000Z');
const iso = (seconds: number) => new Date(t0 + seconds * 1000).toISOString();
const replicas = ['prod-eu/rls1', 'prod-eu/rls2'].map((replica) => ({ replica, status: 'succeeded', message: null, changelog: null, verification: null, downtimeMs: null, keptSchema: null, kept: null, rolledBack: null, steps: [] }));

// The master phase (stop both replicas, back up), then both replicas side by side.
const run = runRecord({
  runId: 'r1',
  createdAt: iso(0),
  finishedAt: iso(100),
  replicas,
  steps: [
    step(1, 'prod-eu/rls1', 'done', iso(0), iso(5)),
    step(2, 'prod-eu/rls2', 'done', iso(5), iso(10)),
    step(3, null, 'done', iso(10), iso(40)),
    step(4, 'prod-eu/rls1', 'done', iso(40), iso(100)),
    step(5, 'prod-eu/rls2', 'done', iso(40), iso(70)),
    step(6, 'prod-eu/rls2', 'skipped', null, iso(70)),
  ],
});

describe('the run timeline layout', () => {
  const layout = layoutTimeline(run, { width: 1000, now: t0 + 999_000 });
  const row = (seq: number) => layout.groups.flatMap((g) => g.rows).find((r) => r.seq === seq)!;
  const plotWidth = layout.plotRight - layout.plotLeft;

  it('groups the steps per replica, the master first, each in step order', () => {
    expect(layout.groups.map((g) => [g.label, g.rows.map((r) => r.seq)])).toEqual([
      ['Master', [3]],
      ['prod-eu/rls1', [1, 4]],
      ['prod-eu/rls2', [2, 5, 6]],
    ]);
    // Rows follow one another; each group starts with its header band.
    const { axisHeight, groupHeight, rowHeight } = TIMELINE_GEOMETRY;
    expect(layout.groups[0]!.y).toBe(axisHeight);
    expect(row(3).y).toBe(axisHeight + groupHeight);
    expect(layout.groups[1]!.y).toBe(axisHeight + groupHeight + rowHeight);
    expect(layout.height).toBe(axisHeight + 3 * groupHeight + 6 * rowHeight + 8);
  });

  it('places bars by start and end on one time axis', () => {
    expect(layout.startMs).toBe(t0);
    expect(layout.endMs).toBe(t0 + 100_000);
    expect(row(1).bar).toMatchObject({ x: layout.plotLeft, open: false });
    expect(row(1).bar!.width).toBeCloseTo(plotWidth * 0.05);
    expect(row(3).bar!.x).toBeCloseTo(layout.plotLeft + plotWidth * 0.1);
    expect(row(3).bar!.width).toBeCloseTo(plotWidth * 0.3);
    // Replicas run side by side: their restore bars start at the same x.
    expect(row(4).bar!.x).toBe(row(5).bar!.x);
    expect(row(4).bar!.x + row(4).bar!.width).toBeCloseTo(layout.plotRight);
    expect(row(4).note).toBe('1 min 00 s');
  });

  it('says why a step has no bar', () => {
    expect(row(6)).toMatchObject({ bar: null, status: 'skipped', note: 'skipped' });
  });

  it('puts the duration beside the bar, or before it when the bar reaches the edge', () => {
    expect(row(1)).toMatchObject({ noteAnchor: 'start', noteX: row(1).bar!.x + row(1).bar!.width + 6 });
    // The right margin is kept for such a note.
    expect(row(4)).toMatchObject({ noteAnchor: 'start', noteX: layout.plotRight + 6 });
    const long = runRecord({ runId: 'r4', status: 'running', finishedAt: null, createdAt: iso(0), steps: [step(1, null, 'running', iso(0), null)] });
    const longRow = layoutTimeline(long, { width: 1000, now: t0 + 7_500_000 }).groups[0]!.rows[0]!;
    expect(longRow.note).toBe('2 h 05 min+');
    expect(longRow).toMatchObject({ noteAnchor: 'end', noteX: longRow.bar!.x - 6 });
  });

  it('labels the axis in round intervals from the start', () => {
    expect(layout.ticks[0]).toEqual({ x: layout.plotLeft, label: '0' });
    // 612 px of plot hold at most 7 intervals of 80 px: 100 s in steps of 15 s.
    expect(plotWidth).toBe(612);
    expect(layout.ticks.map((t) => t.label)).toEqual(['0', '15s', '30s', '45s', '1m', '1m15s', '1m30s']);
    expect(layout.ticks[2]!.x).toBeCloseTo(layout.plotLeft + plotWidth * 0.3);
    expect(tickInterval(100_000, 8)).toBe(15_000);
    expect(tickInterval(3_600_000, 6)).toBe(600_000);
    expect(tickInterval(3_600_000, 5)).toBe(900_000);
    expect(tickInterval(500, 8)).toBe(1000);
  });

  it('draws a running step up to now, and an interrupted one up to the last thing recorded', () => {
    const running = runRecord({ runId: 'r2', status: 'running', createdAt: iso(0), finishedAt: null, replicas, steps: [step(1, null, 'done', iso(0), iso(10)), step(2, 'prod-eu/rls1', 'running', iso(10), null)] });
    const live = layoutTimeline(running, { width: 1000, now: t0 + 40_000 });
    const liveRow = live.groups[1]!.rows[0]!;
    expect(live.endMs).toBe(t0 + 40_000);
    expect(liveRow.bar!.open).toBe(true);
    expect(liveRow.note).toBe('30 s+');

    const gone = layoutTimeline({ ...running, interrupted: true }, { width: 1000, now: t0 + 40_000 });
    const goneRow = gone.groups[1]!.rows[0]!;
    expect(gone.endMs).toBe(t0 + 10_000);
    expect(goneRow).toMatchObject({ status: 'interrupted', bar: { open: true } });
    expect(goneRow.bar!.width).toBe(2);
  });

  it('shortens long step titles to the label column', () => {
    expect(truncateLabel('Restore the backup into cm_rls1 on prod-eu/rls1', 20)).toBe('Restore the backup…');
    expect(truncateLabel('Verify', 20)).toBe('Verify');
    const narrow = layoutTimeline(runRecord({ runId: 'r3', steps: [step(1, null, 'done', iso(0), iso(1), { title: 'x'.repeat(200) })] }), { width: 500, now: t0 });
    expect(narrow.groups[0]!.rows[0]!.label.length).toBeLessThan(40);
  });

  it('names known steps briefly, since the group already names the replica', () => {
    const known = layoutTimeline(runRecord({ runId: 'r5', steps: [step(1, 'prod-eu/rls1', 'done', iso(0), iso(1), { id: 'restore', title: 'Restore the backup into cm_rls1 on prod-eu/rls1' })] }), { width: 1000, now: t0 });
    expect(known.groups[0]!.rows[0]).toMatchObject({ label: 'Restore the backup', title: 'Restore the backup into cm_rls1 on prod-eu/rls1' });
  });

  describe('a replica\'s downtime', () => {
    // Side by side: rls1 serves through its shadow restore (10–60 s), is stopped at 60 s and runs again at 64 s.
    const sideBySide = (over: { startReplica?: 'done' | 'failed' | 'running'; downtimeMs?: number | null; status?: 'running' | 'succeeded' } = {}) =>
      runRecord({
        runId: 'sbs',
        mode: 'side-by-side',
        status: over.status ?? 'succeeded',
        createdAt: iso(0),
        finishedAt: over.status === 'running' ? null : iso(100),
        replicas: [{ ...replicas[0]!, downtimeMs: over.downtimeMs === undefined ? 3_900 : over.downtimeMs, keptSchema: 'cm_rls1__rd_prev_sbs' }],
        steps: [
          step(1, null, 'done', iso(0), iso(10), { id: 'dump-master' }),
          step(2, 'prod-eu/rls1', 'done', iso(10), iso(60), { id: 'restore-shadow' }),
          step(3, 'prod-eu/rls1', 'done', iso(60), iso(61), { id: 'stop-replica' }),
          step(4, 'prod-eu/rls1', 'done', iso(61), iso(62), { id: 'swap' }),
          over.startReplica === 'running'
            ? step(5, 'prod-eu/rls1', 'running', iso(62), null, { id: 'start-replica' })
            : step(5, 'prod-eu/rls1', over.startReplica ?? 'done', iso(62), iso(64), { id: 'start-replica' }),
          step(6, 'prod-eu/rls1', over.startReplica && over.startReplica !== 'done' ? 'pending' : 'done', over.startReplica && over.startReplica !== 'done' ? null : iso(64), over.startReplica && over.startReplica !== 'done' ? null : iso(100), { id: 'verify' }),
        ],
      });

    it('shades the replica\'s rows from the start of its stop to the end of its start, labelled with the measured downtime', () => {
      const chart = layoutTimeline(sideBySide(), { width: 1000, now: t0 + 999_000 });
      const plot = chart.plotRight - chart.plotLeft;
      const [master, rls1] = chart.groups;
      expect(master!.downtime).toBeNull();
      const band = rls1!.downtime!;
      expect(band.x).toBeCloseTo(chart.plotLeft + plot * 0.6);
      expect(band.width).toBeCloseTo(plot * 0.04);
      // Over every row of the group, below its header.
      expect(band.y).toBe(rls1!.y + TIMELINE_GEOMETRY.groupHeight);
      expect(band.height).toBe(rls1!.rows.length * TIMELINE_GEOMETRY.rowHeight);
      // The run measured 3.9 s (stop requested → running again); the band spans the steps' 4 s.
      expect(band).toMatchObject({ durationMs: 3_900, open: false, label: 'down 3.9 s' });
    });

    it('falls back to the band\'s span when the run did not measure it', () => {
      const band = layoutTimeline(sideBySide({ downtimeMs: null }), { width: 1000, now: t0 }).groups[1]!.downtime!;
      expect(band).toMatchObject({ durationMs: 4_000, label: 'down 4.0 s' });
    });

    it('stays open to now while the replica is not running again, and to the run\'s end when its start failed', () => {
      const live = layoutTimeline(sideBySide({ startReplica: 'running', status: 'running', downtimeMs: null }), { width: 1000, now: t0 + 70_000 });
      expect(live.groups[1]!.downtime).toMatchObject({ durationMs: 10_000, open: true, label: 'down 10 s+' });
      const failed = layoutTimeline(sideBySide({ startReplica: 'failed', downtimeMs: null }), { width: 1000, now: t0 + 999_000 });
      expect(failed.groups[1]!.downtime).toMatchObject({ durationMs: 40_000, open: true, label: 'down 40 s+' });
    });

    it('has no band for a replica whose stop never started', () => {
      const notStopped = layoutTimeline(runRecord({ runId: 'r6', replicas, steps: [step(1, 'prod-eu/rls1', 'pending', null, null, { id: 'stop-replica' })] }), { width: 1000, now: t0 });
      expect(notStopped.groups[0]!.downtime).toBeNull();
    });
  });
});
