import { useEffect, useMemo, useRef } from 'react';
import type { Installation, Server, ServerRef } from '../../../shared/profiles';
import type { ServerProbe, TopologySnapshot } from '../../../shared/topology';
import { RoleBadge } from '../components/RoleBadge';
import { RouteLine } from '../components/route/RouteLine';
import { throughJumpHosts } from '../components/route/profileRoute';
import { clockTime, timeAgo } from './probeTime';
import { ServerActions } from './ServerActions';
import { CommandApprovalPanel } from '../components/CommandApprovalPanel';
import { ServerProbeFacts } from './ServerProbeFacts';
import { ServerRestoreHistory } from './ServerRestoreHistory';
import { flagsOf } from './serverStatus';
import { TopologyFlagList } from './TopologyFlagList';
import type { LastReachable } from './useTopology';

interface ServerDetailsProps {
  installation: Installation;
  snapshot: TopologySnapshot;
  probe: ServerProbe;
  lastReachable: LastReachable | undefined;
  now: number;
  onClose(): void;
  onRestore?(installation: string, replica: string): void;
  onOpenRun?(runId: string): void;
}

function ConnectionFacts({ probe, server }: { probe: ServerProbe; server: Server | undefined }) {
  const c = probe.connection;
  const host = server?.host;
  const control = (['stop', 'start', 'status'] as const).filter((k) => server?.control?.[k]);
  return (
    <dl className="facts facts-compact">
      <div className="topo-fact-wide">
        <dt>Database</dt>
        <dd>
          <code>
            {c.user}@{c.host}:{c.port}/{c.database}
          </code>
        </dd>
      </div>
      {probe.route ? (
        <div className="topo-fact-wide">
          <dt>Database route</dt>
          <dd>
            <RouteLine route={probe.route} />
          </dd>
        </div>
      ) : null}
      <div>
        <dt>Schema</dt>
        <dd>
          <code>{c.schema}</code>
        </dd>
      </div>
      <div>
        <dt>SSL mode</dt>
        <dd>{c.sslmode}</dd>
      </div>
      <div className="topo-fact-wide">
        <dt>Host access</dt>
        <dd>
          {host?.access === 'ssh' ? (
            <>
              SSH <code>{`${host.user}@${host.hostname}:${host.port}`}</code>
              {throughJumpHosts(host.jumpHosts)}
              {host.hostKey ? (
                <span className="topo-host-key">
                  host key <code>{host.hostKey}</code>
                </span>
              ) : (
                <span className="status status-warn">host key not pinned</span>
              )}
            </>
          ) : host?.access === 'local' ? (
            'Local (this workstation)'
          ) : (
            <span className="muted">unknown</span>
          )}
        </dd>
      </div>
      <div className="topo-fact-wide">
        <dt>Control commands</dt>
        <dd>{control.length === 0 ? 'none: stop and start are manual steps' : control.join(', ')}</dd>
      </div>
    </dl>
  );
}

/** One server, opened from the picture: its connection, the last probe, its history, and what to do. */
export function ServerDetails({ installation, snapshot, probe, lastReachable, now, onClose, onRestore, onOpenRun }: ServerDetailsProps) {
  const serverRef: ServerRef = useMemo(() => ({ installation: installation.name, server: probe.name }), [installation.name, probe.name]);
  const server = installation.servers.find((s) => s.name.toLowerCase() === probe.name.toLowerCase());
  // The probe's own error is shown with the facts; its flag would only repeat it.
  const flags = flagsOf(snapshot, probe.name).filter((f) => !(probe.database.error && (f.code === 'unreachable' || f.code === 'probe-failed')));
  const showLastKnown = !probe.database.reachable && lastReachable !== undefined;
  const panel = useRef<HTMLElement>(null);

  // Opened from a node further down the page, the panel's top may be out of sight.
  useEffect(() => {
    const top = panel.current?.getBoundingClientRect().top;
    if (top !== undefined && (top < 0 || top > window.innerHeight - 80)) panel.current?.scrollIntoView({ block: 'start' });
  }, []);

  return (
    <aside ref={panel} className="card topo-details" aria-label={`Details of ${probe.name}`}>
      <header className="topo-details-head">
        <div>
          <p className="eyebrow">{installation.name}</p>
          <h3 className="topo-details-title">
            {probe.name} <RoleBadge role={probe.role} />
          </h3>
        </div>
        <button type="button" className="button button-quiet" onClick={onClose} aria-label="Close details">
          ✕
        </button>
      </header>

      <ServerActions serverRef={serverRef} role={probe.role} onRestore={onRestore} />

      <section className="topo-details-section" aria-label="Connection">
        <h4>Connection</h4>
        <ConnectionFacts probe={probe} server={server} />
      </section>

      <section className="topo-details-section" aria-label="Last probe">
        <h4>
          Last probe{' '}
          <span className="topo-details-when">
            <time dateTime={snapshot.probedAt}>{clockTime(snapshot.probedAt, now)}</time> · {timeAgo(snapshot.probedAt, now)}
          </span>
        </h4>
        <ServerProbeFacts probe={probe} />
        <TopologyFlagList flags={flags} label={`Flags for ${probe.name}`} />
      </section>

      {server?.control?.stop || server?.control?.start || server?.control?.status ? (
        <section className="topo-details-section" aria-label="Control commands">
          <h4>Control commands</h4>
          <CommandApprovalPanel target={`${installation.name}/${probe.name}`} />
        </section>
      ) : null}

      {showLastKnown ? (
        <section className="topo-details-section topo-last-known" aria-label="Last known state">
          <h4>
            Last known state{' '}
            <span className="topo-details-when">
              reachable at <time dateTime={lastReachable.probedAt}>{clockTime(lastReachable.probedAt, now)}</time> ·{' '}
              {timeAgo(lastReachable.probedAt, now)}
            </span>
          </h4>
          <ServerProbeFacts probe={lastReachable.probe} />
        </section>
      ) : null}

      <section className="topo-details-section" aria-label="Restore history">
        <h4>{probe.role === 'master' ? 'Restores from this master' : 'Restore history'}</h4>
        <ServerRestoreHistory installation={installation.name} server={probe.name} role={probe.role} onOpenRun={onOpenRun} />
      </section>
    </aside>
  );
}
