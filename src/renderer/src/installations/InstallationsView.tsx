import { useState } from 'react';
import type { Installation } from '../../../shared/profiles';
import type { ErrorPayload } from '../../../shared/result';
import { InstallationsEmptyState } from './InstallationsEmptyState';
import { ErrorNotice } from '../components/ErrorNotice';
import { InstallationDetails } from './InstallationDetails';
import { InstallationEditor } from './editor/InstallationEditor';
import { InstallationList } from './InstallationList';

type Mode = { kind: 'browse' } | { kind: 'create' } | { kind: 'edit'; installation: Installation };

interface InstallationsViewProps {
  installations: Installation[] | null;
  error: ErrorPayload | null;
  reload(): Promise<unknown>;
}

/** The profiles: the installations in a sidebar, and the chosen one's servers, or its editor. */
export function InstallationsView({ installations, error, reload }: InstallationsViewProps) {
  const [selected, setSelected] = useState<string | null>(null);
  const [mode, setMode] = useState<Mode>({ kind: 'browse' });

  const current = installations?.find((i) => i.name === selected) ?? installations?.[0] ?? null;

  const afterSave = async (saved: Installation) => {
    await reload();
    setSelected(saved.name);
    setMode({ kind: 'browse' });
  };

  const afterDelete = async () => {
    await reload();
    setSelected(null);
  };

  const main = () => {
    if (mode.kind === 'create' || mode.kind === 'edit') {
      const existing = mode.kind === 'edit' ? mode.installation : null;
      return (
        <InstallationEditor
          key={existing?.name ?? 'new'}
          existing={existing}
          onSaved={(saved) => void afterSave(saved)}
          onCancel={() => setMode({ kind: 'browse' })}
        />
      );
    }
    if (installations === null) {
      return error ? null : <p className="loading muted">Loading installations…</p>;
    }
    if (current === null) {
      return <InstallationsEmptyState onAdd={() => setMode({ kind: 'create' })} onReload={() => void reload()} />;
    }
    return (
      <InstallationDetails
        key={current.name}
        installation={current}
        onEdit={() => setMode({ kind: 'edit', installation: current })}
        onDeleted={() => void afterDelete()}
      />
    );
  };

  return (
    <div className="app-body">
      <InstallationList
        installations={installations ?? []}
        selected={mode.kind === 'edit' ? mode.installation.name : mode.kind === 'browse' ? (current?.name ?? null) : null}
        onSelect={(name) => {
          setSelected(name);
          setMode({ kind: 'browse' });
        }}
        onAdd={() => setMode({ kind: 'create' })}
        onImported={() => void reload()}
      />
      <main className="content">
        {error ? <ErrorNotice title="Could not load the installations" error={error} /> : null}
        {main()}
      </main>
    </div>
  );
}
