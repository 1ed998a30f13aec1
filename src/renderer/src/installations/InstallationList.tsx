import type { Installation } from '../../../shared/profiles';
import { ProfilesFileActions } from './ProfilesFileActions';

interface InstallationListProps {
  installations: Installation[];
  selected: string | null;
  onSelect(name: string): void;
  onAdd(): void;
  /** After a profiles file was imported from the sidebar: reload the installations. */
  onImported?(): void;
}

function serverSummary(installation: Installation): string {
  const replicas = installation.servers.filter((s) => s.role === 'replica').length;
  return `${installation.servers.length - replicas} master · ${replicas} ${replicas === 1 ? 'replica' : 'replicas'}`;
}

export function InstallationList({ installations, selected, onSelect, onAdd, onImported }: InstallationListProps) {
  return (
    <nav className="sidebar" aria-label="Installations">
      <div className="sidebar-head">
        <h2>Installations</h2>
        <span className="count">{installations.length}</span>
      </div>
      {installations.length === 0 ? (
        <p className="sidebar-empty muted">None yet.</p>
      ) : (
        <ul className="installation-list">
          {installations.map((inst) => (
            <li key={inst.name}>
              <button
                type="button"
                className="installation-item"
                aria-current={inst.name === selected ? 'page' : undefined}
                onClick={() => onSelect(inst.name)}
              >
                <span className="installation-item-name">{inst.name}</span>
                <span className="installation-item-meta">{inst.description || serverSummary(inst)}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      <button type="button" className="button button-primary sidebar-add" onClick={onAdd}>
        Add installation
      </button>
      <ProfilesFileActions layout="stacked" exportable={installations.length > 0} onImported={() => onImported?.()} />
    </nav>
  );
}
