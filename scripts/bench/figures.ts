// How the benchmarks state a figure measured several times: best and median (a noisy,
// shared machine makes single runs misleading).

export const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

export const figures = (values: number[], unit: string, digits = 0): string =>
  `best ${Math.min(...values).toFixed(digits)} ${unit}, median ${median(values).toFixed(digits)} ${unit}`;
