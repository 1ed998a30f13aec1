// How far a dump or restore is, how fast it goes and when it should end. The current run's
// own throughput is trusted more as it runs longer; until then the installation's earlier
// runs fill in, and they also say how big a dump will get when pg_dump cannot know.
import type { PhaseHistory } from './throughputHistory';

export interface TransferSample {
  phase: 'dump' | 'restore';
  bytes: number;
  bytesTotal: number | null;
  tablesDone: number;
  tablesTotal: number | null;
}

export interface ProgressEstimate {
  /** 0..1, or null when nothing says how much is left. */
  fraction: number | null;
  /** What the fraction counts. */
  measure: 'bytes' | 'expected-bytes' | 'tables' | null;
  /** The expected total size, when known or learned. */
  expectedBytes: number | null;
  bytesPerSecond: number | null;
  etaMs: number | null;
  basis: 'this run' | 'earlier runs' | 'this run and earlier runs' | null;
}

/** After this long the run's own rate counts fully; before, earlier runs weigh in. */
const SETTLE_MS = 10_000;
/** A measured rate needs this much time behind it before it means anything. */
const MIN_MEASURE_MS = 800;

function blendedRate(sample: TransferSample, elapsedMs: number, history: PhaseHistory | null): Pick<ProgressEstimate, 'bytesPerSecond' | 'basis'> {
  const observed = elapsedMs >= MIN_MEASURE_MS && sample.bytes > 0 ? (sample.bytes * 1000) / elapsedMs : null;
  if (observed !== null && history) {
    const weight = Math.min(1, elapsedMs / SETTLE_MS);
    return { bytesPerSecond: weight * observed + (1 - weight) * history.bytesPerSecond, basis: weight >= 1 ? 'this run' : 'this run and earlier runs' };
  }
  if (observed !== null) return { bytesPerSecond: observed, basis: 'this run' };
  if (history) return { bytesPerSecond: history.bytesPerSecond, basis: 'earlier runs' };
  return { bytesPerSecond: null, basis: null };
}

/**
 * `knownBytes` is a size this run already knows (the restore reads the file the dump just
 * wrote); `history` is what earlier runs of this phase measured.
 */
export function estimateProgress(sample: TransferSample, elapsedMs: number, history: PhaseHistory | null, knownBytes: number | null = null): ProgressEstimate {
  const { bytesPerSecond, basis } = blendedRate(sample, elapsedMs, history);
  const exact = sample.bytesTotal ?? knownBytes;
  const expectedBytes = exact ?? history?.typicalBytes ?? null;
  let fraction: number | null = null;
  let measure: ProgressEstimate['measure'] = null;
  if (exact) {
    fraction = sample.bytes / exact;
    measure = 'bytes';
  } else if (expectedBytes) {
    // A learned size is a guess: the bar never claims to be done before the step is.
    fraction = Math.min(0.99, sample.bytes / expectedBytes);
    measure = 'expected-bytes';
  } else if (sample.tablesTotal) {
    fraction = sample.tablesDone / sample.tablesTotal;
    measure = 'tables';
  }
  const etaMs = expectedBytes && bytesPerSecond ? (Math.max(0, expectedBytes - sample.bytes) * 1000) / bytesPerSecond : null;
  return { fraction: fraction === null ? null : Math.max(0, Math.min(1, fraction)), measure, expectedBytes, bytesPerSecond, etaMs, basis };
}
