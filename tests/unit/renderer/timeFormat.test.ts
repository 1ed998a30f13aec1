import { describe, expect, it } from 'vitest';
import { readChangelog, readVerification, runBackup } from '../../../src/renderer/src/history/capturedValues';
import { elapsedMs, formatDateTime, formatDuration, formatOffset } from '../../../src/renderer/src/history/timeFormat';
import { runRecord, step } from './runRecordFixture';

describe('history time formats', () => {
  it('writes durations short enough for a table cell', () => {
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(12_345)).toBe('12 s');
    expect(formatDuration(4_560)).toBe('4.5 s');
    expect(formatDuration(200_000)).toBe('3 min 20 s');
    expect(formatDuration(7_500_000)).toBe('2 h 05 min');
    expect(formatDuration(90_000_000)).toBe('1 d 1 h');
    expect(formatDuration(-1)).toBe('—');
  });

  it('writes axis offsets compactly', () => {
    expect([0, 45_000, 120_000, 90_000, 4_500_000, 3_600_000].map(formatOffset)).toEqual(['0', '45s', '2m', '1m30s', '1h15m', '1h']);
  });

  it('shows local date and time, and keeps what it cannot read', () => {
    expect(formatDateTime(new Date(2026, 10, 3, 9, 7).toISOString())).toBe('2026-11-03 09:07');
    expect(formatDateTime('garbage')).toBe('garbage');
    expect(elapsedMs('2026-01-01T00:00:00Z', '2026-01-01T00:01:00Z')).toBe(60_000);
    expect(elapsedMs('2026-01-01T00:00:00Z', null)).toBeNull();
  });
});

describe('captured values', () => {
  it('reads the backup from the run, else from the dump step', () => {
    const backup = { file: '/b/x.dump', bytes: 1_842_113_024, sha256: 'ab'.repeat(32), elapsedMs: 8000 };
    expect(runBackup(runRecord({ runId: 'a', backup }))).toMatchObject({ file: '/b/x.dump', bytes: 1_842_113_024, reused: false, elapsedMs: 8000 });
    const fromStep = runRecord({ runId: 'b', steps: [{ ...step(3, null, 'done', null, null), id: 'dump-master', captured: { backup: { ...backup, reused: true } } }] });
    expect(runBackup(fromStep)).toMatchObject({ file: '/b/x.dump', reused: true });
    expect(runBackup(runRecord({ runId: 'c', backup: { bytes: 3 } }))).toBeNull();
  });

  it('reads changelog positions and verification checks, ignoring other shapes', () => {
    expect(readChangelog({ sequenceNo: '1204', idTag: 7 })).toEqual({ sequenceNo: '1204', idTag: '7' });
    expect(readChangelog({ sequenceNo: '1204' })).toBeNull();
    expect(readVerification([{ id: 'server-type', title: 'Server type is live', ok: true, detail: 'live' }, 'junk'])).toEqual([
      { id: 'server-type', title: 'Server type is live', ok: true, detail: 'live' },
    ]);
    expect(readVerification(null)).toBeNull();
  });
});
