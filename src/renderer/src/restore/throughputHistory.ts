// What this installation's earlier runs teach about the next one: how fast its master
// dumped and its replicas restored, and how big the backup was. The wizard's ETA starts
// from these before the current run has measured anything itself.
import type { RunRecord, RunRecordStep } from '../../../shared/runRecord';

export interface PhaseHistory {
  bytesPerSecond: number;
  /** The most recent run's size for this phase (the backup file's bytes). */
  typicalBytes: number;
  /** How many finished steps the figures come from. */
  samples: number;
}

export interface ThroughputHistory {
  dump: PhaseHistory | null;
  restore: PhaseHistory | null;
}

export const NO_HISTORY: ThroughputHistory = { dump: null, restore: null };

/** How many recent steps of a phase count; older ones say less about today's database. */
const RECENT_SAMPLES = 5;

interface Sample {
  bytes: number;
  ms: number;
}

const numberOf = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : null);

function stepMs(step: RunRecordStep): number | null {
  const elapsed = numberOf(step.captured.elapsedMs);
  if (elapsed) return elapsed;
  if (!step.startedAt || !step.finishedAt) return null;
  const ms = Date.parse(step.finishedAt) - Date.parse(step.startedAt);
  return ms > 0 ? ms : null;
}

function backupBytes(value: unknown): number | null {
  return typeof value === 'object' && value !== null ? numberOf((value as { bytes?: unknown }).bytes) : null;
}

function dumpSample(step: RunRecordStep): Sample | null {
  const backup = step.captured.backup as { bytes?: unknown; elapsedMs?: unknown; reused?: unknown } | undefined;
  // A reused backup file was not dumped: its step's time says nothing about pg_dump.
  if (!backup || backup.reused) return null;
  const bytes = backupBytes(backup);
  const ms = numberOf(backup.elapsedMs) ?? stepMs(step);
  return bytes && ms ? { bytes, ms } : null;
}

function summarise(samples: Sample[]): PhaseHistory | null {
  const recent = samples.slice(0, RECENT_SAMPLES);
  if (recent.length === 0) return null;
  const bytes = recent.reduce((sum, s) => sum + s.bytes, 0);
  const ms = recent.reduce((sum, s) => sum + s.ms, 0);
  return { bytesPerSecond: (bytes * 1000) / ms, typicalBytes: recent[0]!.bytes, samples: recent.length };
}

/** Runs newest first, as listRuns returns them. */
export function learnThroughput(runs: RunRecord[]): ThroughputHistory {
  const dumps: Sample[] = [];
  const restores: Sample[] = [];
  for (const run of runs) {
    for (const step of run.steps) {
      if (step.status !== 'done') continue;
      if (step.id === 'dump-master') {
        const sample = dumpSample(step);
        if (sample) dumps.push(sample);
      } else if (step.id === 'restore') {
        // Each replica's restore reads the whole backup file.
        const bytes = backupBytes(run.backup);
        const ms = stepMs(step);
        if (bytes && ms) restores.push({ bytes, ms });
      }
    }
  }
  return { dump: summarise(dumps), restore: summarise(restores) };
}
