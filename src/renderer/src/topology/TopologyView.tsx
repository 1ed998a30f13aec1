import { useEffect, useState } from 'react';
import type { Installation } from '../../../shared/profiles';
import { ErrorNotice } from '../components/ErrorNotice';
import { isStale } from './probeTime';
import { ServerDetails } from './ServerDetails';
import { TopologyGroup } from './TopologyGroup';
import { useTopology } from './useTopology';
import './topology.css';

export interface TopologyViewProps {
  installations: Installation[];
  onRestore?(installation: string, replica: string): void;
  onOpenRun?(runId: string): void;
}

interface Selection {
  installation: string;
  server: string;
}

/** The clock the "… ago" texts and the stale marking follow. */
function useNow(everyMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), everyMs);
    return () => window.clearInterval(timer);
  }, [everyMs]);
  return now;
}

/** Every installation as a picture of its master and replicas, live, with the last known state kept. */
export function TopologyView({ installations, onRestore, onOpenRun }: TopologyViewProps) {
  const topology = useTopology(installations.map((i) => i.name));
  const [selection, setSelection] = useState<Selection | null>(null);
  const clock = useNow(10_000);
  // A probe that just arrived is "just now", not ten seconds old.
  const now = Math.max(clock, ...[...topology.snapshots.values()].map((s) => new Date(s.probedAt).getTime()));

  const selectedInstallation = selection ? installations.find((i) => i.name === selection.installation) : undefined;
  const selectedSnapshot = selection ? topology.snapshots.get(selection.installation) : undefined;
  const selectedProbe = selectedSnapshot?.servers.find((s) => s.name === selection?.server);

  return (
    <div className="topo-view">
      <header className="page-header">
        <div>
          <p className="eyebrow">Status</p>
          <h2>Topology</h2>
          <p className="page-description">
            Each Master Live Server with its Replication Live Servers: reachability, process state and how far each replica
            lags behind the master's changelog.
          </p>
        </div>
        <div className="topo-toolbar">
          <button
            type="button"
            className="button button-primary"
            onClick={() => void topology.probe()}
            disabled={topology.probing || installations.length === 0}
          >
            {topology.probing ? 'Probing…' : 'Probe now'}
          </button>
          <span className="field-hint">Probes again every minute while this page is open.</span>
        </div>
      </header>

      {topology.probeError ? (
        <ErrorNotice title="The probe failed; the pictures below show the last known state" error={topology.probeError} />
      ) : null}
      {topology.cacheError ? <ErrorNotice title="Could not read the last probe results" error={topology.cacheError} /> : null}

      {installations.length === 0 ? (
        <section className="empty-state" aria-label="No topology yet">
          <h2>Nothing to probe yet</h2>
          <p>Add an installation (or import a profiles file, or try the sandbox) in the Installations view first; its servers then show up here with their live state.</p>
        </section>
      ) : !topology.loaded ? (
        <p className="loading muted">Reading the last probe results…</p>
      ) : (
        <div className={`topo-layout${selectedProbe ? ' topo-layout-with-details' : ''}`}>
          <div className="topo-groups">
            {installations.map((installation) => {
              const snapshot = topology.snapshots.get(installation.name);
              return (
                <TopologyGroup
                  key={installation.name}
                  installation={installation}
                  snapshot={snapshot}
                  lastReachable={topology.lastReachable}
                  lastKnown={snapshot !== undefined && (topology.probeError !== null || isStale(snapshot.probedAt, now))}
                  probing={topology.probing}
                  now={now}
                  selected={selection?.installation === installation.name ? selection.server : null}
                  onSelect={(server) =>
                    setSelection((current) =>
                      current?.installation === installation.name && current.server === server ? null : { installation: installation.name, server },
                    )
                  }
                />
              );
            })}
          </div>
          {selectedProbe && selectedSnapshot && selectedInstallation ? (
            <ServerDetails
              key={selectedProbe.ref}
              installation={selectedInstallation}
              snapshot={selectedSnapshot}
              probe={selectedProbe}
              lastReachable={topology.lastReachable.get(selectedProbe.ref)}
              now={now}
              onClose={() => setSelection(null)}
              onRestore={onRestore}
              onOpenRun={onOpenRun}
            />
          ) : null}
        </div>
      )}
    </div>
  );
}
