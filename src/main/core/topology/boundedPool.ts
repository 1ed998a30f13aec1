// A bounded pool: at most `size` tasks run at once, the others wait their turn in order.
// Topology uses one for the status commands, so 90 servers' `control.status` do not start
// 90 shells in one burst (which blocks the event loop and makes healthy servers miss their
// deadline). A waiting task whose deadline passes leaves the queue without ever starting.

export class BoundedPool {
  #running = 0;
  #peak = 0;
  readonly #waiting: Array<() => void> = [];

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`pool size must be a positive integer, got ${size}`);
  }

  /** How many tasks ran at the same time at most, since the pool was made. */
  get peak(): number {
    return this.#peak;
  }

  /**
   * Runs `task` once a slot is free. With a signal that aborts while the task still waits,
   * rejects with the signal's reason and the task never starts.
   */
  async run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.#acquire(signal);
    try {
      return await task();
    } finally {
      this.#release();
    }
  }

  #acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#running < this.size) {
      this.#take();
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const start = (): void => {
        signal?.removeEventListener('abort', onAbort);
        this.#take();
        resolve();
      };
      const onAbort = (): void => {
        const i = this.#waiting.indexOf(start);
        if (i >= 0) this.#waiting.splice(i, 1);
        reject(signal!.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiting.push(start);
    });
  }

  #take(): void {
    this.#running += 1;
    this.#peak = Math.max(this.#peak, this.#running);
  }

  #release(): void {
    this.#running -= 1;
    this.#waiting.shift()?.();
  }
}
