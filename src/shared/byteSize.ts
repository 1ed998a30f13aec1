// Sizes for people: 1.2 GB, 340 MB, 12 kB (decimal units). Shared by the CLI, the main
// process's dialogs and the renderer, so a dump's size reads the same everywhere.
export function formatByteSize(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}
