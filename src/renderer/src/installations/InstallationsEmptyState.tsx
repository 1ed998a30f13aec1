import { ProfilesFileActions } from './ProfilesFileActions';

interface InstallationsEmptyStateProps {
  onAdd(): void;
  onReload(): void;
}

/** What a new user sees first: the two ways to describe their servers. */
export function InstallationsEmptyState({ onAdd, onReload }: InstallationsEmptyStateProps) {
  return (
    <section className="empty-state" aria-label="Getting started">
      <h2>No installations yet</h2>
      <p>
        An installation is one CoreMedia delivery setup: its Master Live Server and the Replication Live Servers restored
        from it. Describe yours first; restores, status and history build on it.
      </p>
      <div className="empty-state-options">
        <div className="card">
          <h3 className="card-title">Add an installation</h3>
          <p className="muted">Enter the master and its replicas: database, host access and control commands.</p>
          <button type="button" className="button button-primary" onClick={onAdd}>
            Add installation
          </button>
        </div>
        <div className="card">
          <h3 className="card-title">Import a profiles file</h3>
          <p className="muted">
            Already have a replica-desk/profiles@1 file? Import it here, or from a terminal and then reload:
          </p>
          <pre className="command">
            <code>replica-desk profiles import profiles.json</code>
          </pre>
          <div className="actions">
            <ProfilesFileActions exportable={false} onImported={onReload} />
            <button type="button" className="button button-quiet" onClick={onReload}>
              Reload
            </button>
          </div>
        </div>
      </div>
    </section>
  );
}
