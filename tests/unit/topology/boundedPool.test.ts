// The status-command pool: never more than its size at once, the rest in order, and a task
// whose deadline passes while it waits never starts.
import { describe, expect, it } from 'vitest';
import { BoundedPool } from '../../../src/main/core/topology/boundedPool';

/** A task the test finishes by hand. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

describe('BoundedPool', () => {
  it('runs at most `size` tasks at once and starts the waiting ones in order', async () => {
    const pool = new BoundedPool(3);
    const gates = Array.from({ length: 10 }, gate);
    const started: number[] = [];
    const runs = gates.map((g, i) =>
      pool.run(async () => {
        started.push(i);
        await g.promise;
        return i;
      }),
    );
    await Promise.resolve();
    expect(started).toEqual([0, 1, 2]);
    for (const g of gates) {
      g.open();
      await new Promise((r) => setImmediate(r));
    }
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(pool.peak).toBe(3);
  });

  it('frees the slot of a task that failed', async () => {
    const pool = new BoundedPool(1);
    await expect(pool.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(pool.run(() => Promise.resolve('next'))).resolves.toBe('next');
  });

  it('drops a waiting task whose signal aborts, without starting it', async () => {
    const pool = new BoundedPool(1);
    const busy = gate();
    const first = pool.run(() => busy.promise);
    const controller = new AbortController();
    let ran = false;
    const waiting = pool.run(async () => {
      ran = true;
    }, controller.signal);
    controller.abort(new Error('deadline passed'));
    await expect(waiting).rejects.toThrow('deadline passed');
    busy.open();
    await first;
    await expect(pool.run(() => Promise.resolve(1))).resolves.toBe(1);
    expect(ran).toBe(false);
  });

  it('paced: starts at most one task per turn of the event loop, so I/O is read between starts', async () => {
    // Counts turns of the event loop: one immediate per check phase, each queueing the next.
    let turn = 0;
    let ticking = true;
    const tick = (): void => {
      turn += 1;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    const pool = new BoundedPool(4, { paced: true });
    const startedAt: number[] = [];
    await Promise.all(Array.from({ length: 4 }, () => pool.run(async () => void startedAt.push(turn))));
    ticking = false;
    expect(startedAt).toHaveLength(4);
    for (let i = 1; i < startedAt.length; i++) expect(startedAt[i]).toBeGreaterThan(startedAt[i - 1]!);

    // Unpaced, all four start in the same turn.
    const unpaced = new BoundedPool(4);
    const sameTurn: number[] = [];
    ticking = true;
    setImmediate(tick);
    await Promise.all(Array.from({ length: 4 }, () => unpaced.run(async () => void sameTurn.push(turn))));
    ticking = false;
    expect(new Set(sameTurn).size).toBe(1);
  });

  it('paced: tasks whose time ran out while waiting for a turn leave without using turns', async () => {
    let turn = 0;
    let ticking = true;
    const tick = (): void => {
      turn += 1;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    const pool = new BoundedPool(100, { paced: true });
    const expired = new AbortController();
    const startedAt: Record<string, number> = {};
    const first = pool.run(async () => void (startedAt.first = turn));
    const gaveUp = Array.from({ length: 50 }, () => pool.run(async () => void (startedAt.expired = turn), expired.signal));
    const last = pool.run(async () => void (startedAt.last = turn));
    expired.abort(new Error('deadline passed'));
    await Promise.all([first, last, ...gaveUp.map((p) => p.catch(() => undefined))]);
    ticking = false;
    expect(startedAt.expired).toBeUndefined();
    // The last task starts a turn or two after the first, not 50 turns later.
    expect(startedAt.last! - startedAt.first!).toBeLessThanOrEqual(2);
  });

  it('refuses a size that is not a positive integer', () => {
    expect(() => new BoundedPool(0)).toThrow(RangeError);
    expect(() => new BoundedPool(1.5)).toThrow(RangeError);
  });
});
