// The run's record of its children, in a real SQLite file: written as they start, written
// off as they exit, and offered as leftovers only once the process that spawned them is gone.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RunStore } from '../../../src/main/core/history/runStore';
import type { ChildRecord } from '../../../src/main/core/processes/childProcesses';
import { bootId, ownIdentity, readStat } from '../../../src/main/core/processes/processIdentity';
import { RunChildTracker } from '../../../src/main/core/processes/runChildTracker';
import { planRestore } from '../../../src/main/core/restore/planRestore';
import { openStore, schemaVersion, type Store } from '../../../src/main/core/store/database';
import { InstallationSchema } from '../../../src/shared/profiles';

const plan = planRestore(
  InstallationSchema.parse({
    name: 'prod',
    servers: [
      { name: 'mls', role: 'master', db: { host: 'h', database: 'd', user: 'cm_master' } },
      { name: 'rls1', role: 'replica', db: { host: 'h', database: 'd', user: 'cm_rls1' } },
    ],
  }),
  { replicas: [], backupDir: '/b' },
);

let dir: string;
let store: Store;
let runs: RunStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rd-run-processes-'));
  store = openStore(join(dir, 'db.sqlite'));
  runs = new RunStore(store.db);
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const child = (pid: number, owner: { pid: number; startTime: string }): ChildRecord => ({
  pid,
  pgid: pid,
  startTime: '12345',
  bootId: bootId(),
  cmdline: ['/bin/sh', '-c', 'start-rls'],
  role: 'control',
  description: 'start-rls',
  owner,
});

describe.runIf(process.platform === 'linux')('run_processes', () => {
  it('is migration 4', () => {
    expect(schemaVersion(store.db)).toBeGreaterThanOrEqual(4);
    expect(store.db.prepare("SELECT name FROM sqlite_master WHERE name = 'run_processes'").get()).toBeTruthy();
  });

  it('records children, writes off the exited, and keeps those of a live owner out of the leftovers', () => {
    const runId = runs.create(plan);
    const tracker = new RunChildTracker(runs, runId);
    const me = ownIdentity()!;
    tracker.started(child(101, me));
    tracker.started({ ...child(102, me), role: 'pg_dump', pgid: 7, cmdline: ['/usr/bin/pg_dump', 'x'], description: 'pg_dump' });
    expect(runs.unfinishedProcesses(runId)).toEqual([child(101, me), { ...child(102, me), role: 'pg_dump', pgid: 7, cmdline: ['/usr/bin/pg_dump', 'x'], description: 'pg_dump' }]);
    tracker.exited(child(101, me));
    expect(runs.unfinishedProcesses(runId).map((r) => r.pid)).toEqual([102]);
    // Same pid, another start time: not the one that exited.
    runs.processExited(runId, 102, '999');
    expect(runs.unfinishedProcesses(runId).map((r) => r.pid)).toEqual([102]);
    expect(runs.leftoverProcesses()).toEqual([]);
    // Recorded in an earlier boot: whatever has this pid now, the owner is not it.
    runs.recordProcess(runId, { ...child(103, me), bootId: 'an-earlier-boot' });
    expect(runs.leftoverProcesses().map((r) => r.pid)).toEqual([103]);
  });

  it('offers a child as a leftover once its owner is gone, or its owner’s pid belongs to another process', () => {
    const deadRun = runs.create(plan);
    // Leftovers are a matter of their owner's life, not of the run's status.
    runs.finish(deadRun, 'failed', 'killed');
    const reusedRun = runs.create(plan);
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    runs.recordProcess(deadRun, child(201, { pid: dead, startTime: '1' }));
    // This process's pid, but recorded with another start time: the owner died and the pid was reused.
    runs.recordProcess(reusedRun, child(202, { pid: process.pid, startTime: String(BigInt(readStat(process.pid)!.startTime) + 1n) }));
    expect(runs.leftoverProcesses()).toEqual([
      { runId: deadRun, ...child(201, { pid: dead, startTime: '1' }) },
      { runId: reusedRun, ...child(202, { pid: process.pid, startTime: String(BigInt(readStat(process.pid)!.startTime) + 1n) }) },
    ]);
    runs.processExited(deadRun, 201, '12345');
    expect(runs.leftoverProcesses().map((r) => r.runId)).toEqual([reusedRun]);
  });

  it('goes with its run when the run is deleted', () => {
    const runId = runs.create(plan);
    runs.recordProcess(runId, child(301, ownIdentity()!));
    store.db.prepare('DELETE FROM runs WHERE id = ?').run(runId);
    expect(store.db.prepare('SELECT count(*) AS n FROM run_processes').get()).toEqual({ n: 0 });
  });
});
