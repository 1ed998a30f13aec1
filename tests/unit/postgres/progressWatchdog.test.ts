// The progress watchdog alone, on real timers (short ones): when it declares a stall, what
// keeps it quiet (progress, a check that finds the work alive), and what turns it off.
// Its use on frozen connections runs in tests/integration/postgres/noHang.test.ts.
import { describe, expect, it } from 'vitest';
import { StreamStalledError } from '../../../src/main/core/postgres/pgToolErrors';
import { DEFAULT_STALL_TIMEOUT_MS, watchProgress, type Stall } from '../../../src/main/core/postgres/progressWatchdog';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('watchProgress', () => {
  it('declares a stall once nothing moved for the timeout, exactly once', async () => {
    const stalls: Stall[] = [];
    const started = Date.now();
    const w = watchProgress({ timeoutMs: 200, onStall: (s) => stalls.push(s) });
    await expect.poll(() => stalls.length, { timeout: 2_000, interval: 20 }).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
    expect(stalls[0]!.idleMs).toBeGreaterThanOrEqual(200);
    expect(w.stall).toBe(stalls[0]);
    await sleep(300);
    expect(stalls).toHaveLength(1);
  });

  it('stays quiet while progress comes, and after stop()', async () => {
    const stalls: Stall[] = [];
    const w = watchProgress({ timeoutMs: 200, onStall: (s) => stalls.push(s) });
    for (let i = 0; i < 8; i += 1) {
      await sleep(60);
      w.touch();
    }
    expect(stalls).toEqual([]);
    w.stop();
    await sleep(400);
    expect(stalls).toEqual([]);
  });

  it('asks the check first: alive restarts the clock, not alive declares with its detail', async () => {
    const stalls: Stall[] = [];
    let checks = 0;
    const w = watchProgress({
      timeoutMs: 150,
      onStall: (s) => stalls.push(s),
      check: async () => {
        checks += 1;
        return checks < 3 ? { alive: true } : { alive: false, detail: 'waiting for its client' };
      },
    });
    await expect.poll(() => stalls.length, { timeout: 3_000, interval: 20 }).toBe(1);
    expect(checks).toBe(3);
    expect(stalls[0]!.detail).toBe('waiting for its client');
    expect(w.stall?.idleMs).toBeGreaterThanOrEqual(150);
  });

  it('counts a failing check as a stall', async () => {
    const stalls: Stall[] = [];
    watchProgress({ timeoutMs: 100, onStall: (s) => stalls.push(s), check: () => Promise.reject(new Error('no route')) });
    await expect.poll(() => stalls[0]?.detail, { timeout: 2_000, interval: 20 }).toMatch(/no route/);
  });

  it('is off with 0 and defaults to 60 s', async () => {
    const stalls: Stall[] = [];
    watchProgress({ timeoutMs: 0, onStall: (s) => stalls.push(s) });
    await sleep(200);
    expect(stalls).toEqual([]);
    expect(DEFAULT_STALL_TIMEOUT_MS).toBe(60_000);
  });
});

describe('StreamStalledError', () => {
  const db = { host: 'db.example', port: 5433, database: 'coremedia', user: 'cm_replication' };

  it('names the connection, the tool and how long nothing moved, with what to do next', () => {
    const e = new StreamStalledError(db, { tool: 'psql', operation: 'restore', stalledMs: 61_234, detail: 'a new connection did not get through either' });
    expect(e.code).toBe('stream-stalled');
    expect(e.message).toContain('db.example:5433/coremedia as user "cm_replication"');
    expect(e.message).toContain('psql');
    expect(e.message).toContain('61.2 s');
    expect(e.message).toContain('a new connection did not get through either');
    expect(e.hint).toMatch(/rolls? back/);
    expect(e.hint).toContain('replica-desk runs resume');
    const dump = new StreamStalledError(db, { tool: 'pg_dump', operation: 'dump', stalledMs: 3_000 });
    expect(dump.message).toMatch(/^The dump stalled: nothing moved for 3 s on the connection of pg_dump/);
    expect(dump.hint).toMatch(/partial backup file was removed/);
    const late = new StreamStalledError(db, { tool: 'psql', operation: 'restore', stalledMs: 3_000, afterCommitSent: true });
    expect(late.hint).toMatch(/may or may not have landed/);
  });
});
