// The app shell: the top bar with the four main views, and the view the location hash
// names. The installations editor and the restore wizard stay mounted (hidden) once
// opened, so switching views never loses a half-filled form or a run being watched. Each
// view but the History list is a chunk of its own (shell/lazyViews.tsx), loaded when first shown.
import { useCallback, useEffect, useState } from 'react';
import { ErrorNotice } from './components/ErrorNotice';
import { HistoryView } from './history/HistoryView';
import { Installations, Restore, Topology } from './shell/lazyViews';
import { KeychainBanner } from './shell/KeychainBanner';
import { ShellHeader } from './shell/ShellHeader';
import type { Route, ViewName } from './shell/route';
import { useRoute } from './shell/useRoute';
import { useViewShortcuts } from './shell/useViewShortcuts';
import { ViewFrame } from './shell/ViewFrame';
import { isMacPlatform, MAIN_VIEWS } from './shell/viewShortcuts';
import { useInstallations } from './installations/useInstallations';
import './shell/shell.css';

interface RestoreRequest {
  key: string;
  installation?: string;
  replica?: string;
  resume?: string;
  rollback?: string;
}

const IS_MAC = isMacPlatform(navigator.platform || navigator.userAgent);

export function App() {
  const { installations, error, reload } = useInstallations();
  const [route, navigate] = useRoute();
  const [visited, setVisited] = useState<ReadonlySet<ViewName>>(() => new Set([route.view]));
  const [restore, setRestore] = useState<RestoreRequest | null>(null);
  const [historyFilterKey, setHistoryFilterKey] = useState<{ installation?: string; replica?: string }>({});

  // Derived from the route while rendering (React's pattern for state that follows a prop).
  if (!visited.has(route.view)) setVisited(new Set([...visited, route.view]));
  if (route.view === 'restore') {
    const wanted = { installation: route.installation, replica: route.replica, resume: route.resume, rollback: route.rollback };
    const key = JSON.stringify(wanted);
    // A link that asks for something specific opens a fresh wizard; the plain view keeps the current one.
    if (restore === null || ((wanted.installation || wanted.replica || wanted.resume || wanted.rollback) && restore.key !== key)) setRestore({ key, ...wanted });
  }
  if (route.view === 'history' && !route.runId && (route.installation || route.replica)) {
    if (historyFilterKey.installation !== route.installation || historyFilterKey.replica !== route.replica) {
      setHistoryFilterKey({ installation: route.installation, replica: route.replica });
    }
  }

  const showView = useCallback((view: ViewName) => navigate({ view } as Route), [navigate]);
  useViewShortcuts(IS_MAC, showView);

  useEffect(() => {
    const label = MAIN_VIEWS.find((v) => v.view === route.view)?.label ?? 'Installations';
    document.title = route.view === 'history' && route.runId ? `Run ${route.runId} · Replica Desk` : `${label} · Replica Desk`;
  }, [route]);

  const installationNames = (installations ?? []).map((i) => i.name);

  return (
    <div className="app">
      <ShellHeader current={route.view} isMac={IS_MAC} onReloadInstallations={route.view === 'installations' ? () => void reload() : undefined} />
      <KeychainBanner />

      {visited.has('installations') ? (
        <div className="view" hidden={route.view !== 'installations'}>
          <ViewFrame>
            <Installations.View installations={installations} error={error} reload={reload} />
          </ViewFrame>
        </div>
      ) : null}

      {route.view === 'topology' ? (
        <main className="content view-page">
          {error ? <ErrorNotice title="Could not load the installations" error={error} /> : null}
          {installations === null ? (
            error ? null : <p className="loading muted">Loading installations…</p>
          ) : (
            <ViewFrame>
              <Topology.View
                installations={installations}
                onRestore={(installation, replica) => navigate({ view: 'restore', installation, replica })}
                onOpenRun={(runId) => navigate({ view: 'history', runId })}
              />
            </ViewFrame>
          )}
        </main>
      ) : null}

      {restore ? (
        <main className="content view-page" hidden={route.view !== 'restore'}>
          {error ? <ErrorNotice title="Could not load the installations" error={error} /> : null}
          {installations === null ? (
            error ? null : <p className="loading muted">Loading installations…</p>
          ) : (
            <ViewFrame key={restore.key}>
              <Restore.View
                installations={installations}
                initialInstallation={restore.installation}
                initialReplica={restore.replica}
                resumeRunId={restore.resume}
                rollbackRunId={restore.rollback}
              />
            </ViewFrame>
          )}
        </main>
      ) : null}

      {visited.has('history') ? (
        <main className="content view-page" hidden={route.view !== 'history'}>
          <ViewFrame key={`${historyFilterKey.installation ?? ''}|${historyFilterKey.replica ?? ''}`}>
            <HistoryView
              active={route.view === 'history'}
              runId={route.view === 'history' ? route.runId : undefined}
              initialInstallation={historyFilterKey.installation}
              initialReplica={historyFilterKey.replica}
              installations={installationNames}
            />
          </ViewFrame>
        </main>
      ) : null}
    </div>
  );
}
