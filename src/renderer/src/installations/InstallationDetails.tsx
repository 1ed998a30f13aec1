import { useState } from 'react';
import type { Installation } from '../../../shared/profiles';
import type { ErrorPayload } from '../../../shared/result';
import { api } from '../api';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { ErrorNotice } from '../components/ErrorNotice';
import { ServerCard } from './ServerCard';

interface InstallationDetailsProps {
  installation: Installation;
  onEdit(): void;
  onDeleted(name: string): void;
}

export function InstallationDetails({ installation, onEdit, onDeleted }: InstallationDetailsProps) {
  const [confirming, setConfirming] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [deleteError, setDeleteError] = useState<ErrorPayload | null>(null);
  // The master first: it is the one every replica is restored from.
  const servers = [...installation.servers].sort((a, b) => (a.role === b.role ? 0 : a.role === 'master' ? -1 : 1));
  const replicas = servers.filter((s) => s.role === 'replica').length;

  const remove = async () => {
    setDeleting(true);
    setDeleteError(null);
    const result = await api.deleteInstallation({ name: installation.name });
    setDeleting(false);
    if (result.ok) {
      setConfirming(false);
      onDeleted(installation.name);
    } else setDeleteError(result.error);
  };

  return (
    <div className="details">
      <header className="page-header">
        <div>
          <p className="eyebrow">Installation</p>
          <h2>{installation.name}</h2>
          {installation.description ? <p className="page-description">{installation.description}</p> : null}
          <ul className="chips" aria-label="Summary">
            <li className="chip">1 master</li>
            <li className="chip">
              {replicas} {replicas === 1 ? 'replica' : 'replicas'}
            </li>
            <li className={`chip${installation.onlineBackup ? '' : ' chip-warn'}`}>
              {installation.onlineBackup ? 'Online backup' : 'No online backup: freeze the master first'}
            </li>
          </ul>
        </div>
        <div className="actions">
          <button type="button" className="button" onClick={onEdit}>
            Edit
          </button>
          <button type="button" className="button button-danger" onClick={() => setConfirming(true)}>
            Delete
          </button>
        </div>
      </header>

      <div className="server-list">
        {servers.map((server) => (
          <ServerCard key={`${installation.name}/${server.name}`} installation={installation.name} server={server} />
        ))}
      </div>

      {confirming ? (
        <ConfirmDialog
          title={`Delete ${installation.name}?`}
          confirmLabel={deleting ? 'Deleting…' : 'Delete installation'}
          busy={deleting}
          onConfirm={() => void remove()}
          onCancel={() => {
            setConfirming(false);
            setDeleteError(null);
          }}
        >
          <p>
            This removes the installation and its {servers.length} {servers.length === 1 ? 'server' : 'servers'} from Replica
            Desk, with their stored passwords. The databases and servers themselves are not touched.
          </p>
          {deleteError ? <ErrorNotice error={deleteError} /> : null}
        </ConfirmDialog>
      ) : null}
    </div>
  );
}
