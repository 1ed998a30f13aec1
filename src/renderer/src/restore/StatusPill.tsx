// A step's, replica's or run's state as a coloured label.
const TONE: Record<string, string> = {
  pending: 'muted',
  running: 'active',
  done: 'ok',
  succeeded: 'ok',
  skipped: 'muted',
  failed: 'error',
  cancelled: 'warn',
  cancelling: 'warn',
  interrupted: 'warn',
};

export function StatusPill({ status }: { status: string }) {
  return <span className={`pill pill-${TONE[status] ?? 'muted'}`}>{status}</span>;
}
