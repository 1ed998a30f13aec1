// Dump retention against a real SQLite store and real dump files in a temporary directory:
// the newest N stay, a dump a resumable or running run needs stays however old, the others
// are deleted and their runs say so, and a resume that would read a deleted dump is refused.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DumpNeededError, DumpRetention } from '../../../src/main/core/history/dumpRetention';
import { toRunRecord } from '../../../src/main/core/history/runRecord';
import { RunStore } from '../../../src/main/core/history/runStore';
import { createLogger } from '../../../src/main/core/logging/logger';
import { planRestore } from '../../../src/main/core/restore/planRestore';
import { RestoreService } from '../../../src/main/core/restore/restoreService';
import { openStore, type Store } from '../../../src/main/core/store/database';
import { SettingsStore } from '../../../src/main/core/store/settingsStore';
import { seedInstallation, seedRunWithDump, type DumpRunOptions, type SeededOutcome } from '../../harness/runDumpSeed';

let dir: string;
let store: Store;
let runs: RunStore;
let settings: SettingsStore;
let retention: DumpRetention;
const log = () => createLogger(join(dir, 'logs', 'test.log'));
const installation = seedInstallation;

function addRun(hoursAgo: number, outcome: SeededOutcome, options: Omit<DumpRunOptions, 'hoursAgo' | 'outcome'> & { name?: string } = {}) {
  const { name, ...rest } = options;
  return seedRunWithDump(runs, store.db, join(dir, 'backups'), { hoursAgo, outcome, ...rest, ...(name ? { installation: name } : {}) });
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rd-retention-'));
  store = openStore(join(dir, 'db.sqlite'));
  runs = new RunStore(store.db);
  settings = new SettingsStore(store.db);
  retention = new DumpRetention(runs, settings, log());
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('settings', () => {
  it('keeps 2 dumps by default, stores a new N, and refuses an N below 1 or not whole without changing it', () => {
    expect(settings.all()).toEqual({ dumpsKept: 2 });
    expect(settings.update({ dumpsKept: 5 })).toEqual({ dumpsKept: 5 });
    expect(new SettingsStore(store.db).get('dumpsKept')).toBe(5);
    for (const bad of [0, -1, 1.5, '3', null]) {
      expect(() => settings.update({ dumpsKept: bad })).toThrow(expect.objectContaining({ code: 'invalid-input' }));
    }
    expect(() => settings.update({ other: 1 })).toThrow(expect.objectContaining({ code: 'invalid-input' }));
    expect(settings.get('dumpsKept')).toBe(5);
  });

  it('reads a stored value its schema refuses as the default', () => {
    store.db.prepare("INSERT INTO settings (key, value) VALUES ('dumpsKept', '0')").run();
    expect(settings.get('dumpsKept')).toBe(2);
  });
});

describe('dump retention', () => {
  it('keeps the newest N dumps of each installation, deletes the rest and marks their runs', () => {
    const old = [addRun(50, 'succeeded'), addRun(40, 'succeeded'), addRun(30, 'succeeded')];
    const newest = [addRun(20, 'succeeded'), addRun(10, 'succeeded')];
    const otherInstallation = addRun(60, 'succeeded', { name: 'stage' });

    const report = retention.prune();
    expect(report.keep).toBe(2);
    expect(report.deleted.map((d) => d.runId).sort()).toEqual(old.map((r) => r.runId).sort());
    expect(report.kept.map((d) => d.runId)).toEqual([...newest.map((r) => r.runId).reverse(), otherInstallation.runId]);
    expect(report.kept[0]!.reasons).toEqual([{ kind: 'newest', keep: 2 }]);
    for (const r of old) {
      expect(existsSync(r.file)).toBe(false);
      const record = toRunRecord(runs.get(r.runId)!);
      expect(record.dump).toMatchObject({ file: r.file, state: 'deleted', deleted: { reason: 'retention' } });
      expect(runs.logs(r.runId).at(-1)!.message).toContain(`dump ${r.file}`);
    }
    for (const r of [...newest, otherInstallation]) {
      expect(existsSync(r.file)).toBe(true);
      expect(toRunRecord(runs.get(r.runId)!).dump).toMatchObject({ state: 'present', deleted: null });
    }
    // A second prune finds nothing more to delete, and the deleted ones are listed as deleted.
    expect(retention.prune().deleted).toEqual([]);
    expect(retention.list('prod').map((d) => d.state)).toEqual(['present', 'present', 'deleted', 'deleted', 'deleted']);
  });

  it('uses the configured N, and --keep overrides it', () => {
    const all = [addRun(40, 'succeeded'), addRun(30, 'succeeded'), addRun(20, 'succeeded'), addRun(10, 'succeeded')];
    settings.update({ dumpsKept: 3 });
    expect(retention.prune().deleted.map((d) => d.runId)).toEqual([all[0]!.runId]);
    expect(retention.prune({ keep: 1 }).deleted.map((d) => d.runId)).toEqual([all[2]!.runId, all[1]!.runId]);
    expect(() => retention.prune({ keep: 0 })).toThrow(expect.objectContaining({ code: 'invalid-input' }));
  });

  it("keeps an old dump that a failed, cancelled or interrupted run's resume would read", () => {
    const failed = addRun(50, 'failed', { restoreDone: false });
    const cancelled = addRun(45, 'cancelled', { restoreDone: false });
    const interrupted = addRun(40, 'interrupted', { restoreDone: false, replica: 'rls2' });
    // Failed after its restore: a resume only starts and verifies; it reads no dump.
    const failedLate = addRun(35, 'failed', { restoreDone: true });
    const older = addRun(20, 'succeeded');
    const newest = addRun(10, 'succeeded');

    const report = retention.prune({ keep: 1 });
    expect(report.deleted.map((d) => d.runId)).toEqual([older.runId, failedLate.runId]);
    expect(report.kept.map((d) => d.runId)).toEqual([newest.runId, interrupted.runId, cancelled.runId, failed.runId]);
    const keptWhy = Object.fromEntries(report.kept.map((d) => [d.runId, d.reasons]));
    expect(keptWhy[failed.runId]).toEqual([{ kind: 'resumable', runId: failed.runId }]);
    expect(keptWhy[cancelled.runId]).toEqual([{ kind: 'resumable', runId: cancelled.runId }]);
    expect(keptWhy[interrupted.runId]).toEqual([{ kind: 'resumable', runId: interrupted.runId }]);
    for (const r of [failed, cancelled, interrupted]) expect(existsSync(r.file)).toBe(true);
    expect(existsSync(failedLate.file)).toBe(false);
    expect(toRunRecord(runs.get(failed.runId)!).resumable).toBe(true);
  });

  it('keeps the dump of a run that is running now, and one a running run reads with --from-backup', () => {
    const reused = addRun(50, 'succeeded');
    const older = addRun(20, 'succeeded', { replica: 'rls2' });
    addRun(10, 'succeeded', { replica: 'rls2' });
    const running = addRun(30, 'running');
    // A live run of this process, started from an old run's dump.
    const fromBackup = planRestore(installation('prod'), { replicas: ['rls2'], backupDir: join(dir, 'backups'), fromBackup: reused.file });
    const live = runs.create(fromBackup);

    const report = retention.prune({ keep: 1 });
    const keptWhy = Object.fromEntries(report.kept.map((d) => [d.runId, d.reasons]));
    expect(keptWhy[running.runId]).toEqual([{ kind: 'running', runId: running.runId }]);
    expect(keptWhy[reused.runId]).toEqual([{ kind: 'running', runId: live }]);
    expect(existsSync(running.file)).toBe(true);
    expect(existsSync(reused.file)).toBe(true);
    expect(report.deleted.map((d) => d.runId)).toEqual([older.runId]);
  });

  it('a dry run deletes and records nothing', () => {
    const old = addRun(30, 'succeeded');
    addRun(20, 'succeeded');
    const report = retention.prune({ keep: 1, dryRun: true });
    expect(report.deleted.map((d) => d.runId)).toEqual([old.runId]);
    expect(existsSync(old.file)).toBe(true);
    expect(toRunRecord(runs.get(old.runId)!).dump!.state).toBe('present');
  });

  it('the admin may delete a dump no run needs, and is refused one a resumable run needs', () => {
    const done = addRun(10, 'succeeded');
    const failed = addRun(20, 'failed', { restoreDone: false });
    expect(() => retention.deleteDump(failed.runId)).toThrow(DumpNeededError);
    expect(existsSync(failed.file)).toBe(true);
    expect(retention.deleteDump(done.runId)).toMatchObject({ state: 'deleted', deleted: { reason: 'admin' } });
    expect(existsSync(done.file)).toBe(false);
    expect(toRunRecord(runs.get(done.runId)!).dump).toMatchObject({ state: 'deleted', deleted: { reason: 'admin' } });
  });

  it('refuses the resume of a run whose dump was deleted or is missing, before anything runs', async () => {
    const service = new RestoreService(null as never, runs, null as never, {}, log(), dir, null as never);
    const pruned = addRun(20, 'failed', { restoreDone: false });
    runs.markDumpDeleted(pruned.runId, { at: '2026-01-01T00:00:00.000Z', reason: 'retention' });
    rmSync(pruned.file);
    expect(toRunRecord(runs.get(pruned.runId)!).resumable).toBe(false);
    expect(() => service.resumable(pruned.runId)).toThrow(expect.objectContaining({ code: 'dump-deleted', message: expect.stringContaining('deleted by dump retention at 2026-01-01') }));
    await expect(service.claimForResume(pruned.runId)).rejects.toMatchObject({ code: 'dump-deleted' });
    expect(runs.get(pruned.runId)!.status).toBe('failed');

    const vanished = addRun(10, 'cancelled', { restoreDone: false, replica: 'rls2' });
    rmSync(vanished.file);
    expect(() => service.resumable(vanished.runId)).toThrow(expect.objectContaining({ code: 'dump-deleted', message: expect.stringContaining('missing from the disk') }));
    expect(toRunRecord(runs.get(vanished.runId)!).dump!.state).toBe('missing');
  });

  it('lets a run resume that no longer reads its deleted dump', () => {
    const service = new RestoreService(null as never, runs, null as never, {}, log(), dir, null as never);
    const late = addRun(20, 'failed', { restoreDone: true });
    addRun(10, 'succeeded');
    expect(retention.prune({ keep: 1 }).deleted.map((d) => d.runId)).toEqual([late.runId]);
    expect(service.resumable(late.runId).runId).toBe(late.runId);
  });
});
