// Sizes for people: 1.2 GB, 340 MB, 12 kB, 512 B (decimal units; one decimal below 10).
// The one byte formatter: the CLI, the preflight's findings, the main process's dialogs and
// the renderer all use it, so a size reads the same everywhere.
const UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'] as const;

export function formatByteSize(bytes: number): string {
  if (!Number.isFinite(bytes)) return `${bytes} B`;
  const sign = bytes < 0 ? '-' : '';
  let value = Math.abs(bytes);
  let unit = 0;
  const shown = (v: number) => v.toFixed(v < 10 ? 1 : 0);
  // 999,950 bytes would show as "1000 kB": round first, then step up.
  while (unit < UNITS.length - 1 && (value >= 1000 || (unit > 0 && Number(shown(value)) >= 1000))) {
    value /= 1000;
    unit += 1;
  }
  return unit === 0 ? `${sign}${Math.round(value)} B` : `${sign}${shown(value)} ${UNITS[unit]}`;
}
