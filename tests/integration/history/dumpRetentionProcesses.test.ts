// Retention beside another process: a restore that another process is starting from an old
// dump (--from-backup) holds the run store's write lock while it records its run; retention
// here waits for that transaction instead of reading around it, sees the live run and keeps
// the dump. Once that process is killed, its run is interrupted and resumable, and the dump
// its resume would read still stays.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DumpRetention } from '../../../src/main/core/history/dumpRetention';
import { RunStore } from '../../../src/main/core/history/runStore';
import { createLogger } from '../../../src/main/core/logging/logger';
import { openStore, type Store } from '../../../src/main/core/store/database';
import { SettingsStore } from '../../../src/main/core/store/settingsStore';
import { repoRoot } from '../../harness/cli';
import { seedRunWithDump } from '../../harness/runDumpSeed';

let dir: string;
let store: Store;
let retention: DumpRetention;
let other: ChildProcess | null = null;
let old: { runId: string; file: string };
let newest: { runId: string; file: string };

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rd-retention-procs-'));
  store = openStore(join(dir, 'replica-desk.sqlite'));
  const runs = new RunStore(store.db);
  retention = new DumpRetention(runs, new SettingsStore(store.db), createLogger(join(dir, 'logs', 'test.log')));
  old = seedRunWithDump(runs, store.db, join(dir, 'backups'), { hoursAgo: 20, outcome: 'succeeded' });
  newest = seedRunWithDump(runs, store.db, join(dir, 'backups'), { hoursAgo: 10, outcome: 'succeeded' });
});

afterAll(() => {
  other?.kill('SIGKILL');
  store?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('retention beside another process', () => {
  it("waits for another process's run to be recorded and keeps the dump it reads", async () => {
    other = spawn(process.execPath, [join(repoRoot, 'scripts/run-ts.mjs'), join(repoRoot, 'tests/integration/history/fixtures/liveRunProcess.ts'), store.file, old.file, '1500'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const lines = createInterface({ input: other.stdout! })[Symbol.asyncIterator]();
    const next = async () => JSON.parse(((await lines.next()).value as string) ?? 'null');
    expect(await next()).toEqual({ locked: true });

    // The other process holds the write lock now; its run is not committed yet.
    const report = retention.prune({ keep: 1 });
    const { runId } = await next();
    expect(report.deleted).toEqual([]);
    expect(report.kept.find((d) => d.runId === old.runId)?.reasons).toEqual([{ kind: 'running', runId }]);
    expect(report.kept.find((d) => d.runId === newest.runId)?.reasons).toEqual([{ kind: 'newest', keep: 1 }]);
    expect(existsSync(old.file)).toBe(true);

    // kill -9: the run is interrupted, and its resume would restore from that dump.
    other.kill('SIGKILL');
    await new Promise((resolve) => other!.once('exit', resolve));
    const after = retention.prune({ keep: 1 });
    expect(after.kept.find((d) => d.runId === old.runId)?.reasons).toEqual([{ kind: 'resumable', runId }]);
    expect(existsSync(old.file)).toBe(true);
  }, 60_000);
});
