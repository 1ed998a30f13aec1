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

  it('refuses a size that is not a positive integer', () => {
    expect(() => new BoundedPool(0)).toThrow(RangeError);
    expect(() => new BoundedPool(1.5)).toThrow(RangeError);
  });
});
