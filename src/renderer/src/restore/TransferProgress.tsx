import { formatByteSize } from '../../../shared/byteSize';
import { formatDuration, formatRate } from './formatMeasure';
import { estimateProgress } from './progressEstimate';
import type { LiveProgress, LiveStep } from './runState';
import type { PhaseHistory } from './throughputHistory';

interface TransferProgressProps {
  step: LiveStep;
  progress: LiveProgress;
  history: PhaseHistory | null;
  /** A size this run already knows, e.g. the dump's for a restore. */
  knownBytes: number | null;
  now: number;
}

function basisNote(basis: string | null, history: PhaseHistory | null): string {
  if (basis === 'earlier runs' || basis === 'this run and earlier runs') {
    const n = history?.samples ?? 0;
    return basis === 'earlier runs' ? `from ${n} earlier run${n === 1 ? '' : 's'}` : `this run and ${n} earlier run${n === 1 ? '' : 's'}`;
  }
  return basis ?? '';
}

/** A real progress bar for a dump or a restore: bytes or tables, throughput and ETA. */
export function TransferProgress({ step, progress, history, knownBytes, now }: TransferProgressProps) {
  const finished = step.status !== 'running';
  const started = step.startedAt ?? progress.at;
  // The rate is measured where the sample was taken; the countdown then runs on with the clock.
  const sampledMs = Math.max(0, progress.at - started);
  const estimate = estimateProgress(progress, sampledMs, history, knownBytes);
  const tookMs = Math.max(0, (step.finishedAt ?? progress.at) - started);
  const etaMs = estimate.etaMs === null ? null : Math.max(0, estimate.etaMs - Math.max(0, now - progress.at));
  const fraction = finished && step.status === 'done' ? 1 : estimate.fraction;
  const label = `${progress.phase === 'dump' ? 'Backup' : 'Restore'} of ${step.replica ?? 'the master'}`;
  const percent = fraction === null ? null : Math.round(fraction * 100);
  const tables = progress.tablesTotal ? `${progress.tablesDone} of ${progress.tablesTotal} tables` : `${progress.tablesDone} tables`;
  const size = estimate.expectedBytes
    ? `${formatByteSize(progress.bytes)} of ${estimate.measure === 'bytes' ? '' : 'about '}${formatByteSize(estimate.expectedBytes)}`
    : formatByteSize(progress.bytes);

  return (
    <div className="transfer" role="group" aria-label={`${label} progress`}>
      <div className="transfer-head">
        <span className="transfer-title">{label}</span>
        <span className="transfer-percent mono">{percent === null ? '' : `${percent} %`}</span>
      </div>
      {/* A native <progress> is styled by class; a width from data would need an inline style. */}
      <progress className="transfer-bar" max={1} value={fraction ?? undefined} aria-label={label} />
      <dl className="transfer-facts">
        <div>
          <dt>Data</dt>
          <dd className="mono">{size}</dd>
        </div>
        <div>
          <dt>Tables</dt>
          <dd className="mono">{tables}</dd>
        </div>
        <div>
          <dt>Throughput</dt>
          <dd className="mono">{estimate.bytesPerSecond ? formatRate(estimate.bytesPerSecond) : '—'}</dd>
        </div>
        <div>
          <dt>{finished ? 'Took' : 'Time left'}</dt>
          <dd className="mono">
            {finished ? formatDuration(tookMs) : etaMs === null ? 'estimating…' : formatDuration(etaMs)}
            {!finished && etaMs !== null && estimate.basis ? <span className="transfer-basis"> ({basisNote(estimate.basis, history)})</span> : null}
          </dd>
        </div>
      </dl>
    </div>
  );
}
