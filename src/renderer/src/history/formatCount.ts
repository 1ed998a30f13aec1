// Counts as the History view shows them, `10,000 runs`: en-US digit grouping, written out by
// hand because the first Intl call in a fresh renderer loads ICU's number formatting, which
// cost the History view's first screen 70–350 ms (measured by npm run bench:history).

/** `10000` → `10,000`, as `n.toLocaleString('en-US')` writes a whole number. */
export function formatCount(n: number): string {
  if (!Number.isSafeInteger(n)) return String(n);
  const digits = String(Math.abs(n)).replace(/\B(?=(\d{3})+$)/g, ',');
  return n < 0 ? `-${digits}` : digits;
}
