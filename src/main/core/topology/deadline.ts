// Deadlines around work that cannot be cancelled from outside (a pg query, an SSH
// handshake, a keychain read): the caller gets its answer in time, and `abandon` tidies up
// behind it. A `Deadline` is one point in time shared by several phases, so a probe's
// keychain read, connect, queries and status command together stay within one timeout.

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

/** One end time for all the phases of a piece of work; each phase gets what is left of it. */
export class Deadline {
  readonly #endsAt: number;

  /** Ends `ms` from now; `now` is for tests. */
  constructor(
    readonly ms: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.#endsAt = now() + ms;
  }

  /** What is left, never below 0. */
  remainingMs(): number {
    return Math.max(0, Math.round(this.#endsAt - this.now()));
  }

  expired(): boolean {
    return this.remainingMs() <= 0;
  }

  /**
   * Settles with `work`, or rejects with `onTimeout()` (after `abandon`) when the deadline
   * passes; at once if it already has.
   */
  race<T>(work: Promise<T>, onTimeout: () => Error, abandon?: () => void): Promise<T> {
    return withDeadline(work, this.remainingMs(), onTimeout, abandon);
  }
}
