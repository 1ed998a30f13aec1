// Progress comes from child processes far more often than anyone can read it.
/** Calls `fn` at most every `intervalMs`, always delivering the latest value, and the last one on flush. */
export function throttle<T>(fn: (value: T) => void, intervalMs = 100): { push(value: T): void; flush(): void } {
  let last = 0;
  let pending: T | undefined;
  let timer: NodeJS.Timeout | undefined;
  const emit = () => {
    timer = undefined;
    if (pending === undefined) return;
    const v = pending;
    pending = undefined;
    last = Date.now();
    fn(v);
  };
  return {
    push(value: T) {
      pending = value;
      const wait = intervalMs - (Date.now() - last);
      if (wait <= 0) emit();
      else timer ??= setTimeout(emit, wait);
    },
    flush() {
      if (timer) clearTimeout(timer);
      emit();
    },
  };
}
