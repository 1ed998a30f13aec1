// One deadline shared by several phases: each phase gets only what the earlier ones left,
// so a slow first phase shortens the second instead of adding to the total.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Deadline } from '../../../src/main/core/topology/deadline';

const never = <T>(): Promise<T> => new Promise<T>(() => undefined);
const after = <T>(ms: number, value: T): Promise<T> => new Promise((resolve) => setTimeout(() => resolve(value), ms));

describe('Deadline', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('gives each phase what is left of one timeout', async () => {
    const deadline = new Deadline(3000);
    const first = deadline.race(after(2000, 'password'), () => new Error('first phase timed out'));
    await vi.advanceTimersByTimeAsync(2000);
    await expect(first).resolves.toBe('password');
    expect(deadline.remainingMs()).toBe(1000);

    let abandoned = false;
    const second = deadline.race(never<string>(), () => new Error('connect timed out'), () => (abandoned = true));
    const outcome = second.then(
      () => 'resolved',
      (e: Error) => e.message,
    );
    await vi.advanceTimersByTimeAsync(999);
    expect(abandoned).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    // At 3000 ms in all, not 2000 + 3000 as with a deadline per phase.
    expect(await outcome).toBe('connect timed out');
    expect(abandoned).toBe(true);
    expect(deadline.expired()).toBe(true);
    expect(deadline.remainingMs()).toBe(0);
  });

  it('rejects a phase at once when the time is already used up', async () => {
    const deadline = new Deadline(100);
    await vi.advanceTimersByTimeAsync(150);
    const late = deadline.race(never<void>(), () => new Error('no time left'));
    const outcome = late.catch((e: Error) => e.message);
    await vi.advanceTimersByTimeAsync(0);
    expect(await outcome).toBe('no time left');
  });

  it('lets work that finishes in time through, and clears its timer', async () => {
    const deadline = new Deadline(1000);
    await expect(deadline.race(Promise.resolve(42), () => new Error('late'))).resolves.toBe(42);
    expect(vi.getTimerCount()).toBe(0);
  });
});
