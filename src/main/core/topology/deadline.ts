// Deadlines around work that cannot be cancelled from outside (a pg query, an SSH
// handshake, a keychain read): the caller gets its answer in time, and `abandon` tidies up
// behind it. A `Deadline` is one end time shared by all the phases of one server's probe
// (keychain read, connect, queries, status command), so they stay within one timeout.
//
// The timeout measures the server, not us: time the probe spent on its own side (reading
// the keychain, waiting for a slot in the status-command pool) is given back, up to a hard
// cap a little past the timeout, so a busy tool does not report a healthy server as timed
// out while a server that never answers is still given up on within the cap. And when the
// timer fires late because the event loop was busy, an answer already waiting in a socket
// or pipe is read before the phase is declared timed out.

/** Settles with `work`, or rejects with `onTimeout()` (after calling `abandon`) once `ms` have passed. */
export async function withDeadline<T>(work: Promise<T>, ms: number, onTimeout: () => Error, abandon?: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      abandon?.();
      reject(onTimeout());
    }, ms);
  });
  // The losing side's rejection must not surface as unhandled.
  work.catch(() => undefined);
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * How far past its timeout a server's probe may run because of time given back for the
 * probe's own work: the hard bound for a server that never answers.
 */
export const DEADLINE_CAP_FACTOR = 1.1;

/** One end time for all the phases of a piece of work; each phase gets what is left of it. */
export class Deadline {
  #endsAt: number;
  #capAt: number;

  /** Ends `ms` from now, or later by the time given back, but never after `capMs` from now; `now` is for tests. */
  constructor(
    readonly ms: number,
    private readonly now: () => number = () => performance.now(),
    capMs: number = Math.round(ms * DEADLINE_CAP_FACTOR),
  ) {
    const start = now();
    this.#endsAt = start + ms;
    this.#capAt = start + Math.max(ms, capMs);
  }

  /**
   * A deadline with the same end and cap whose given-back time is its own: the database and
   * the process side of one server run side by side, and one side's queueing must not
   * lengthen the other's wait on a server that never answers.
   */
  split(): Deadline {
    const copy = new Deadline(this.ms, this.now, 0);
    copy.#endsAt = this.#endsAt;
    copy.#capAt = this.#capAt;
    return copy;
  }

  /** What is left, never below 0. */
  remainingMs(): number {
    return Math.max(0, Math.round(this.#endsAt - this.now()));
  }

  /** What is left until the cap, the latest the deadline can move to. */
  capRemainingMs(): number {
    return Math.max(0, Math.round(this.#capAt - this.now()));
  }

  expired(): boolean {
    return this.remainingMs() <= 0;
  }

  /**
   * Adds `ms` that went to the probe's own work (not to waiting on the server) back to the
   * time left, up to the cap.
   */
  giveBack(ms: number): void {
    if (ms > 0) this.#endsAt = Math.min(this.#capAt, this.#endsAt + ms);
  }

  /**
   * Runs `work` (our own side, e.g. a keychain read) and gives its duration back; it is
   * still raced against the deadline, which may have moved by the time it settles.
   */
  async own<T>(work: Promise<T>, onTimeout: () => Error, abandon?: () => void): Promise<T> {
    const started = this.now();
    try {
      return await this.race(work, onTimeout, abandon);
    } finally {
      this.giveBack(this.now() - started);
    }
  }

  /**
   * Settles with `work`, or rejects with `onTimeout()` (after `abandon`) when the deadline
   * passes; at once if it already has. Time given back meanwhile is honoured. When the time
   * is up, one more turn of the event loop lets an answer that already arrived win.
   */
  race<T>(work: Promise<T>, onTimeout: () => Error, abandon?: () => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      let immediate: NodeJS.Immediate | undefined;
      const finish = (): boolean => {
        if (settled) return false;
        settled = true;
        clearTimeout(timer);
        if (immediate) clearImmediate(immediate);
        return true;
      };
      const check = (): void => {
        const left = this.remainingMs();
        if (left > 0) {
          timer = setTimeout(check, left);
          return;
        }
        // Timers run before the poll phase: after a busy stretch, read what is waiting first.
        immediate = setImmediate(() => {
          if (!finish()) return;
          abandon?.();
          reject(onTimeout());
        });
      };
      work.then(
        (value) => finish() && resolve(value),
        (error: unknown) => finish() && reject(error),
      );
      check();
    });
  }
}
