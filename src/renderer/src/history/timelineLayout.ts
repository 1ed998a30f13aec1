// Geometry of a run's timeline: one group per replica (and one for the master's steps),
// one row per step, a bar from the step's start to its end on a shared time axis, and per
// replica a band over its downtime. Pure, so the SVG component only draws and the tests
// check the arithmetic.
import type { RunRecord, RunRecordStep } from '../../../shared/runRecord';
import type { StepId } from '../../../shared/restorePlan';
import { formatDuration, formatOffset } from './timeFormat';

export interface TimelineOptions {
  width: number;
  /** The time a still-running step's bar extends to. */
  now: number;
}

export interface TimelineBar {
  x: number;
  width: number;
  /** The step has no end yet (running, or interrupted while running). */
  open: boolean;
}

export interface TimelineRow {
  seq: number;
  title: string;
  /** The title, shortened to fit the label column. */
  label: string;
  /** The step's status; `interrupted` for a step left running by a process that is gone. */
  status: string;
  y: number;
  bar: TimelineBar | null;
  durationMs: number | null;
  /** What the row says beside its bar: the duration, or why there is no bar. */
  note: string;
  noteX: number;
  noteAnchor: 'start' | 'end';
}

/**
 * A replica's downtime: from the start of its stop step to the end of its start step, over
 * the rows of its group. Labelled with the measured downtime (stop requested → running
 * again) when the run recorded it, else with the band's own span.
 */
export interface TimelineDowntime {
  x: number;
  width: number;
  y: number;
  height: number;
  durationMs: number;
  /** The replica is not running again yet (or the run stopped before it was). */
  open: boolean;
  /** Drawn in the group's header line from the band's start (the right margin kept for notes holds it). */
  label: string;
}

export interface TimelineGroup {
  key: string;
  label: string;
  y: number;
  rows: TimelineRow[];
  downtime: TimelineDowntime | null;
}

export interface TimelineLayout {
  width: number;
  height: number;
  plotLeft: number;
  plotRight: number;
  axisY: number;
  ticks: Array<{ x: number; label: string }>;
  groups: TimelineGroup[];
  startMs: number;
  endMs: number;
}

export const TIMELINE_GEOMETRY = { axisHeight: 30, groupHeight: 26, rowHeight: 22, barHeight: 12, noteWidth: 76, charWidth: 6.6 } as const;

/** Within a replica's group its name is already said; the label names just the step. Full titles stay in the tooltip. */
const STEP_LABELS: Record<StepId, string> = {
  'confirm-publications': 'Confirm publications finished',
  'stop-replica': 'Stop the replica',
  'stop-master': 'Stop the master',
  'dump-master': 'Back up the master',
  'start-master': 'Start the master',
  'copy-key': 'Copy the key file',
  'drop-schema': 'Drop the schema',
  restore: 'Restore the backup',
  fixups: 'Replicator position, licenses, type',
  'start-replica': 'Start the replica',
  verify: 'Verify',
  'restore-shadow': 'Restore into the shadow schema',
  'fixups-shadow': 'Fix-ups in the shadow schema',
  'verify-shadow': 'Verify the shadow schema',
  swap: 'Swap the schemas',
  'swap-back': 'Swap the previous schema back',
  'restore-key': 'Put the previous key file back',
};

const NICE_STEPS_MS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400].map((s) => s * 1000);

/** The tick interval that puts at most `maxTicks` intervals on the axis. */
export function tickInterval(spanMs: number, maxTicks: number): number {
  return NICE_STEPS_MS.find((step) => spanMs / step <= Math.max(1, maxTicks)) ?? Math.ceil(spanMs / Math.max(1, maxTicks) / 86_400_000) * 86_400_000;
}

export function truncateLabel(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  return `${text.slice(0, Math.max(1, maxChars - 1)).trimEnd()}…`;
}

const time = (iso: string | null): number | null => {
  if (!iso) return null;
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? ms : null;
};

type TimelineRun = Pick<RunRecord, 'createdAt' | 'finishedAt' | 'status' | 'interrupted' | 'steps' | 'replicas'>;

function groupSteps(run: TimelineRun): Array<{ key: string; label: string; steps: RunRecordStep[] }> {
  const order = [null, ...run.replicas.map((r) => r.replica)];
  for (const s of run.steps) if (!order.includes(s.replica)) order.push(s.replica);
  return order
    .map((replica) => ({ key: replica ?? 'master', label: replica ?? 'Master', steps: run.steps.filter((s) => s.replica === replica).sort((a, b) => a.seq - b.seq) }))
    .filter((g) => g.steps.length > 0);
}

export function layoutTimeline(run: TimelineRun, { width, now }: TimelineOptions): TimelineLayout {
  const g = TIMELINE_GEOMETRY;
  const labelWidth = Math.round(Math.min(300, Math.max(150, width * 0.3)));
  const plotLeft = labelWidth + 12;
  const plotRight = Math.max(plotLeft + 60, width - g.noteWidth);
  const plotWidth = plotRight - plotLeft;
  const stillRunning = run.status === 'running' && !run.interrupted;

  const known = run.steps.flatMap((s) => [time(s.startedAt), time(s.finishedAt)]).filter((t): t is number => t !== null);
  const startMs = Math.min(...known, time(run.createdAt) ?? Infinity);
  const lastKnown = Math.max(...known, time(run.finishedAt) ?? -Infinity, Number.isFinite(startMs) ? startMs : -Infinity);
  const endMs = stillRunning ? Math.max(lastKnown, now) : lastKnown;
  const origin = Number.isFinite(startMs) ? startMs : now;
  const spanMs = Math.max(1000, (Number.isFinite(endMs) ? endMs : origin) - origin);
  const xOf = (t: number) => plotLeft + ((t - origin) / spanMs) * plotWidth;

  const interval = tickInterval(spanMs, Math.floor(plotWidth / 80));
  const ticks: TimelineLayout['ticks'] = [];
  for (let t = 0; t <= spanMs + 1; t += interval) ticks.push({ x: xOf(origin + t), label: formatOffset(t) });

  const maxChars = Math.floor((labelWidth - 14) / g.charWidth);
  let y = g.axisHeight;
  const groups: TimelineGroup[] = groupSteps(run).map((group) => {
    const groupY = y;
    y += g.groupHeight;
    const rows = group.steps.map((step): TimelineRow => {
      const rowY = y;
      y += g.rowHeight;
      const started = time(step.startedAt);
      const finished = time(step.finishedAt);
      const status = step.status === 'running' && run.interrupted ? 'interrupted' : step.status;
      const base = { seq: step.seq, title: step.title, label: truncateLabel((STEP_LABELS as Record<string, string | undefined>)[step.id] ?? step.title, maxChars), status, y: rowY };
      if (started === null) {
        const note = step.status === 'pending' ? 'not run' : step.status;
        return { ...base, bar: null, durationMs: null, note, noteX: plotLeft, noteAnchor: 'start' };
      }
      const end = finished ?? (stillRunning ? now : endMs);
      const x = xOf(started);
      const barWidth = Math.max(2, xOf(Math.max(end, started)) - x);
      const durationMs = Math.max(0, end - started);
      const note = finished === null ? `${formatDuration(durationMs)}+` : formatDuration(durationMs);
      const fitsAfter = x + barWidth + 6 + note.length * g.charWidth <= width;
      return {
        ...base,
        bar: { x, width: barWidth, open: finished === null },
        durationMs,
        note,
        noteX: fitsAfter ? x + barWidth + 6 : x - 6,
        noteAnchor: fitsAfter ? 'start' : 'end',
      };
    });
    const downtime = group.key === 'master' ? null : downtimeBand(group.steps, run.replicas.find((r) => r.replica === group.key)?.downtimeMs ?? null, groupY);
    return { key: group.key, label: group.label, y: groupY, rows, downtime };
  });

  function downtimeBand(steps: RunRecordStep[], measuredMs: number | null, groupY: number): TimelineDowntime | null {
    const stop = steps.find((s) => s.id === 'stop-replica');
    const from = time(stop?.startedAt ?? null);
    if (!stop || from === null) return null;
    const start = steps.find((s) => s.id === 'start-replica' && s.seq > stop.seq);
    const until = start && start.status === 'done' ? time(start.finishedAt) : null;
    const to = until ?? (stillRunning ? now : endMs);
    const x = xOf(from);
    const bandWidth = Math.max(2, xOf(Math.max(to, from)) - x);
    const durationMs = until !== null && measuredMs !== null ? measuredMs : Math.max(0, to - from);
    const label = `down ${formatDuration(durationMs)}${until === null ? '+' : ''}`;
    return {
      x,
      width: bandWidth,
      y: groupY + g.groupHeight,
      height: steps.length * g.rowHeight,
      durationMs,
      open: until === null,
      label,
    };
  }

  return { width, height: y + 8, plotLeft, plotRight, axisY: g.axisHeight - 8, ticks, groups, startMs: origin, endMs: origin + spanMs };
}
