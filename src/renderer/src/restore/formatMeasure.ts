// Durations and rates as an admin reads them on a progress bar and in a summary (sizes:
// shared/byteSize.ts).
import { formatByteSize } from '../../../shared/byteSize';

export const formatRate = (bytesPerSecond: number): string => `${formatByteSize(bytesPerSecond)}/s`;

/** `0.4 s`, `12 s`, `3:07`, `1:02:09`. */
export function formatDuration(ms: number): string {
  if (ms < 10_000) return `${(Math.max(0, ms) / 1000).toFixed(1)} s`;
  const total = Math.round(ms / 1000);
  if (total < 60) return `${total} s`;
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

export function formatClock(at: number): string {
  return new Date(at).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
}
