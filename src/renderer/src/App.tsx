import { useState } from 'react';
import type { Installation } from '../../shared/profiles';
import { AppHeader } from './components/AppHeader';
import { EmptyState } from './components/EmptyState';
import { ErrorNotice } from './components/ErrorNotice';
import { InstallationDetails } from './components/InstallationDetails';
import { InstallationEditor } from './components/InstallationEditor';
import { InstallationList } from './components/InstallationList';
import { useInstallations } from './useInstallations';

type View = { kind: 'browse' } | { kind: 'create' } | { kind: 'edit'; installation: Installation };

export function App() {
  const { installations, error, reload } = useInstallations();
  const [selected, setSelected] = useState<string | null>(null);
  const [view, setView] = useState<View>({ kind: 'browse' });

  const current = installations?.find((i) => i.name === selected) ?? installations?.[0] ?? null;

  const afterSave = async (saved: Installation) => {
    await reload();
    setSelected(saved.name);
    setView({ kind: 'browse' });
  };

  const afterDelete = async () => {
    await reload();
    setSelected(null);
  };

  const main = () => {
    if (view.kind === 'create' || view.kind === 'edit') {
      const existing = view.kind === 'edit' ? view.installation : null;
      return (
        <InstallationEditor
          key={existing?.name ?? 'new'}
          existing={existing}
          onSaved={(saved) => void afterSave(saved)}
          onCancel={() => setView({ kind: 'browse' })}
        />
      );
    }
    if (installations === null) {
      return error ? null : <p className="loading muted">Loading installations…</p>;
    }
    if (current === null) {
      return <EmptyState onAdd={() => setView({ kind: 'create' })} onReload={() => void reload()} />;
    }
    return (
      <InstallationDetails
        key={current.name}
        installation={current}
        onEdit={() => setView({ kind: 'edit', installation: current })}
        onDeleted={() => void afterDelete()}
      />
    );
  };

  return (
    <div className="app">
      <AppHeader onReload={() => void reload()} />
      <div className="app-body">
        <InstallationList
          installations={installations ?? []}
          selected={view.kind === 'edit' ? view.installation.name : view.kind === 'browse' ? (current?.name ?? null) : null}
          onSelect={(name) => {
            setSelected(name);
            setView({ kind: 'browse' });
          }}
          onAdd={() => setView({ kind: 'create' })}
        />
        <main className="content">
          {error ? <ErrorNotice title="Could not load the installations" error={error} /> : null}
          {main()}
        </main>
      </div>
    </div>
  );
}
