// One deadline shared by several phases: each phase gets only what the earlier ones left,
// so a slow first phase shortens the second instead of adding to the total.
import { once } from 'node:events';
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
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
    // The turn of the event loop in which an answer already waiting would still have won.
    await vi.advanceTimersToNextTimerAsync();
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

describe('Deadline: time on our own side is given back', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('gives the time of our own work back, so the server still gets its whole timeout', async () => {
    const deadline = new Deadline(3000, () => performance.now(), 4000);
    // A keychain read that took 1 s of ours.
    const keychain = deadline.own(after(1000, 'password'), () => new Error('keychain timed out'));
    await vi.advanceTimersByTimeAsync(1000);
    await expect(keychain).resolves.toBe('password');
    expect(deadline.remainingMs()).toBe(3000);
    const connect = deadline.race(never<string>(), () => new Error('connect timed out')).catch((e: Error) => e.message);
    await vi.advanceTimersByTimeAsync(2999);
    let outcome: string | undefined;
    void connect.then((m) => (outcome = m));
    await vi.advanceTimersByTimeAsync(0);
    expect(outcome).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    await vi.advanceTimersToNextTimerAsync();
    expect(await connect).toBe('connect timed out');
  });

  it('never gives back past the cap: a server that never answers is given up on by then', async () => {
    const deadline = new Deadline(3000); // cap 1.1 × 3000
    const keychain = deadline.own(after(2500, null), () => new Error('late'));
    await vi.advanceTimersByTimeAsync(2500);
    await keychain;
    expect(deadline.remainingMs()).toBe(800);
    expect(deadline.capRemainingMs()).toBe(800);
    deadline.giveBack(10_000);
    expect(deadline.remainingMs()).toBe(800);
  });

  it('honours time given back while a phase already waits', async () => {
    const deadline = new Deadline(1000, () => performance.now(), 2000);
    const waiting = deadline.race(never<string>(), () => new Error('timed out')).catch((e: Error) => e.message);
    let outcome: string | undefined;
    void waiting.then((m) => (outcome = m));
    await vi.advanceTimersByTimeAsync(500);
    deadline.giveBack(400);
    await vi.advanceTimersByTimeAsync(899);
    expect(outcome).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    await vi.advanceTimersToNextTimerAsync();
    expect(outcome).toBe('timed out');
  });

  it('keeps what one side gives back to itself once split', async () => {
    const database = new Deadline(1000, () => performance.now(), 2000);
    const process = database.split();
    process.giveBack(500);
    expect(process.remainingMs()).toBe(1500);
    expect(database.remainingMs()).toBe(1000);
  });
});

describe('Deadline: an answer that arrived while the event loop was busy', () => {
  it('wins over a timer that fires late', async () => {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const accepted = once(server, 'connection');
    const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
    const [[peer]] = (await Promise.all([accepted, once(socket, 'connect')])) as [[Socket], unknown];
    try {
      const deadline = new Deadline(50);
      const answer = deadline.race(
        once(socket, 'data').then(([data]) => String(data)),
        () => new Error('timed out'),
      );
      // The server answers at once; the tool is busy (e.g. starting a process) past the deadline.
      peer.write('pong');
      const busyUntil = performance.now() + 150;
      while (performance.now() < busyUntil) {
        // spin
      }
      await expect(answer).resolves.toBe('pong');
    } finally {
      socket.destroy();
      peer.destroy();
      server.close();
    }
  });
});
