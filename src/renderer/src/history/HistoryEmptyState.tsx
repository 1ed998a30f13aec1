import { routeHash } from '../shell/route';

interface HistoryEmptyStateProps {
  /** The configured installations; a new user has none yet. */
  installations: string[];
}

/** What the history says before the first restore: what to do to get one. */
export function HistoryEmptyState({ installations }: HistoryEmptyStateProps) {
  const example = installations[0] ?? 'INSTALLATION';
  return (
    <section className="empty-state" aria-label="No runs yet">
      <h2>No restores recorded yet</h2>
      <p>
        Every restore, from the app or the command line, is recorded here: its steps and their durations, the captured
        changelog position, the verification results and the full log. Nothing has run yet.
      </p>
      <div className="empty-state-options">
        {installations.length === 0 ? (
          <div className="card">
            <h3 className="card-title">Describe an installation first</h3>
            <p className="muted">A restore needs the Master Live Server and its replicas. Add them, or import a profiles file.</p>
            <a className="button button-primary" href={routeHash({ view: 'installations' })}>
              Go to installations
            </a>
          </div>
        ) : (
          <div className="card">
            <h3 className="card-title">Restore a replica</h3>
            <p className="muted">The wizard checks the servers, shows the exact plan and asks before anything destructive.</p>
            <a className="button button-primary" href={routeHash({ view: 'restore' })}>
              Start a restore
            </a>
          </div>
        )}
        <div className="card">
          <h3 className="card-title">Or from a terminal</h3>
          <p className="muted">Runs started by the CLI appear here too; refresh afterwards. Add --dry-run to see the plan only.</p>
          <pre className="command">
            <code>replica-desk restore {example}</code>
          </pre>
        </div>
      </div>
    </section>
  );
}
