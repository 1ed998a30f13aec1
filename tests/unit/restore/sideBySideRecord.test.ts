// The downtime a run record reports (stop requested → seen running again) and the room check
// of the side-by-side preflight: a known shortage blocks, an unknown free space warns.
import { describe, expect, it } from 'vitest';
import { downtimeOf } from '../../../src/main/core/history/runRecord';
import type { StepRow } from '../../../src/main/core/history/runStore';
import { roomFinding } from '../../../src/main/core/restore/sideBySidePreflight';

const row = (id: string, status: string, captured: Record<string, unknown>): StepRow => ({ seq: 1, id, replica: 'rls1', title: id, status, startedAt: null, finishedAt: null, message: null, captured }) as StepRow;

describe('downtimeOf', () => {
  it('is the time from the stop request to the replica running again', () => {
    expect(downtimeOf(row('stop-replica', 'done', { stopRequestedAt: 1_000 }), row('start-replica', 'done', { runningAt: 4_500 }))).toBe(3_500);
    expect(downtimeOf(row('stop-replica', 'done', { stopRequestedAt: 1_000 }), row('start-replica', 'skipped', { runningAt: 1_200 }))).toBe(200);
  });
  it('is null while the replica is not running again, or when a run recorded no times', () => {
    expect(downtimeOf(row('stop-replica', 'done', { stopRequestedAt: 1_000 }), row('start-replica', 'pending', { runningAt: 4_500 }))).toBeNull();
    expect(downtimeOf(row('stop-replica', 'done', {}), row('start-replica', 'done', { runningAt: 4_500 }))).toBeNull();
    expect(downtimeOf(undefined, row('start-replica', 'done', { runningAt: 4_500 }))).toBeNull();
  });
});

describe('roomFinding', () => {
  const MB = 1_000_000;
  it('blocks when the free space is known and smaller than the master schema', () => {
    const f = roomFinding('prod/rls1', 300 * MB, { free: 100 * MB, where: '/var/lib/postgresql/base/1' });
    expect(f).toMatchObject({ ok: false, severity: 'error', check: 'room-for-shadow' });
    expect(f.message).toContain('pg_total_relation_size');
    expect(f.hint).toContain('--in-place');
  });
  it('passes when there is room, and says how it estimates', () => {
    const f = roomFinding('prod/rls1', 30 * MB, { free: 100 * MB, where: '/data' });
    expect(f).toMatchObject({ ok: true, severity: 'info' });
    expect(f.message).toContain('about 30 MB');
  });
  it('warns, never blocks, when the free space cannot be known', () => {
    const f = roomFinding('prod/rls1', 30 * MB, { free: null, why: 'the database server db2 is another machine' });
    expect(f).toMatchObject({ ok: false, severity: 'warning' });
    expect(f.message).toContain('unknown');
    expect(f.message).toContain('another machine');
  });
});
