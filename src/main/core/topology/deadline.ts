// A deadline around work that cannot be cancelled from outside (a pg query, an SSH
// handshake): the caller gets its answer in time, and `abandon` tidies up behind it.

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
