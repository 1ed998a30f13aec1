// Probe times as an admin reads them: the clock time (with the date once it is not
// today) and how long ago, so a picture from yesterday never passes for a live one.

/** Every this often the view probes again while it is visible. */
export const PROBE_INTERVAL_MS = 60_000;

/** A snapshot older than this is shown as "last known", not as the current state. */
export const STALE_AFTER_MS = 3 * PROBE_INTERVAL_MS;

export function clockTime(iso: string, now: number = Date.now()): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  const time = at.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  return new Date(now).toDateString() === at.toDateString()
    ? time
    : `${at.toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' })} ${time}`;
}

export function timeAgo(iso: string, now: number = Date.now()): string {
  const seconds = Math.round((now - new Date(iso).getTime()) / 1000);
  if (!Number.isFinite(seconds)) return '';
  if (seconds < 5) return 'just now';
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.round(hours / 24)} days ago`;
}

export const isStale = (iso: string, now: number = Date.now()): boolean => now - new Date(iso).getTime() > STALE_AFTER_MS;
