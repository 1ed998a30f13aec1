// The lock that keeps two `sandbox up`/`down` from building at once, in a real SQLite file
// opened twice (as two processes do): the second fails fast naming the holder; a holder
// whose process is gone is taken over; release frees it for the next.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../../src/main/core/store/database';
import { SandboxBusyError, SandboxLock } from '../../../src/main/core/sandbox/sandboxLock';
import { readStat } from '../../../src/main/core/processes/processIdentity';

let dir: string;
let first: Store;
let second: Store;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rd-sandbox-lock-'));
  first = openStore(join(dir, 'replica-desk.sqlite'));
  second = openStore(join(dir, 'replica-desk.sqlite'));
});
afterEach(() => {
  first.close();
  second.close();
  rmSync(dir, { recursive: true, force: true });
});

const holdAs = (store: Store, pid: number, startTime: string | null) =>
  store.db
    .prepare("INSERT OR REPLACE INTO sandbox_lock (id, action, host, pid, start_time, boot_id, started_at) VALUES (1, 'up', ?, ?, ?, NULL, '2026-12-02T10:00:00.000Z')")
    .run(hostname(), pid, startTime);

describe('SandboxLock', () => {
  it('refuses a second up or down while the first holds it, naming the holder, and frees it on release', () => {
    const release = new SandboxLock(first.db).acquire('up');
    let refused: unknown;
    try {
      new SandboxLock(second.db).acquire('down');
    } catch (e) {
      refused = e;
    }
    expect(refused).toBeInstanceOf(SandboxBusyError);
    expect((refused as SandboxBusyError).message).toMatch(new RegExp(`^Another sandbox up is running \\(pid ${process.pid} on .*, started 20`));
    expect(new SandboxLock(second.db).holder()).toMatchObject({ action: 'up', pid: process.pid });

    release();
    expect(new SandboxLock(second.db).holder()).toBeNull();
    new SandboxLock(second.db).acquire('down')();
  });

  it('refuses while another live process holds it', async () => {
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      await new Promise((resolve) => child.once('spawn', resolve));
      holdAs(first, child.pid!, readStat(child.pid!)?.startTime ?? null);
      expect(() => new SandboxLock(second.db).acquire('up')).toThrow(SandboxBusyError);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('takes over a lock whose holder died (a killed build)', () => {
    const gone = spawnSync('sh', ['-c', 'echo $$']);
    holdAs(first, Number(gone.stdout), '1');
    const release = new SandboxLock(second.db).acquire('up');
    expect(new SandboxLock(first.db).holder()).toMatchObject({ pid: process.pid, action: 'up' });
    release();
  });

  it('takes over a holder whose pid now belongs to another process (start time differs)', () => {
    holdAs(first, process.pid, '1');
    const release = new SandboxLock(second.db).acquire('down');
    expect(new SandboxLock(first.db).holder()).toMatchObject({ action: 'down' });
    release();
  });
});
