import type { Installation } from '../../../shared/profiles';
import type { TopologySnapshot } from '../../../shared/topology';
import { clockTime, timeAgo } from './probeTime';
import { snapshotTone, type Tone } from './serverStatus';
import { TopologyFlagList } from './TopologyFlagList';
import { TopologyGraph } from './TopologyGraph';
import type { LastReachable } from './useTopology';
import { SandboxBadge } from '../sandbox/SandboxBadge';
import { useIsSandbox } from '../sandbox/SandboxContext';

interface TopologyGroupProps {
  installation: Installation;
  snapshot: TopologySnapshot | undefined;
  lastReachable: ReadonlyMap<string, LastReachable>;
  /** The snapshot is old, or the newest probe failed: it is what was known, not what is. */
  lastKnown: boolean;
  probing: boolean;
  now: number;
  selected: string | null;
  onSelect(server: string): void;
}

const toneLabels: Record<Tone, string> = {
  ok: 'Healthy',
  warning: 'Needs attention',
  error: 'Problems',
  unknown: 'Not probed',
};

function sameServers(installation: Installation, snapshot: TopologySnapshot): boolean {
  const names = (list: { name: string }[]) => list.map((s) => s.name.toLowerCase()).sort().join('\n');
  return names(installation.servers) === names(snapshot.servers);
}

/** One installation on the topology page: its state, when it was probed, the picture and its flags. */
export function TopologyGroup({ installation, snapshot, lastReachable, lastKnown, probing, now, selected, onSelect }: TopologyGroupProps) {
  const tone = snapshot ? snapshotTone(snapshot) : 'unknown';
  const reachable = snapshot?.servers.filter((s) => s.database.reachable).length ?? 0;
  const sandbox = useIsSandbox(installation.name);
  return (
    <section className={`card topo-group${lastKnown ? ' topo-group-last-known' : ''}`} aria-label={`Installation ${installation.name}`}>
      <header className="topo-group-head">
        <div>
          <h3 className="topo-group-title">
            {installation.name}
            {sandbox ? <SandboxBadge /> : null}
            <span className={`topo-chip topo-tone-${tone}`}>{toneLabels[tone]}</span>
          </h3>
          {installation.description ? <p className="muted">{installation.description}</p> : null}
          {sandbox ? <p className="muted">The sandbox: throwaway clusters and stand-in servers on this workstation, not production.</p> : null}
        </div>
        <div className="topo-probe-time">
          {snapshot ? (
            <>
              {lastKnown ? <span className="topo-chip topo-chip-last-known">Last known</span> : null}
              <span>
                Probed <time dateTime={snapshot.probedAt}>{clockTime(snapshot.probedAt, now)}</time>
                <span className="muted"> · {timeAgo(snapshot.probedAt, now)}</span>
              </span>
              <span className="muted">
                {reachable} of {snapshot.servers.length} databases reachable · took {(snapshot.elapsedMs / 1000).toFixed(1)} s
              </span>
            </>
          ) : (
            <span className="muted">{probing ? 'Probing…' : 'Never probed'}</span>
          )}
        </div>
      </header>

      {snapshot ? (
        <>
          {sameServers(installation, snapshot) ? null : (
            <p className="notice notice-warning">The profile's servers changed since this probe; probe again to see them all.</p>
          )}
          <div className="topo-graph-frame">
            <TopologyGraph snapshot={snapshot} lastReachable={lastReachable} selected={selected} onSelect={onSelect} />
          </div>
          <TopologyFlagList flags={snapshot.flags} label={`Flags for ${installation.name}`} />
        </>
      ) : (
        <p className="topo-placeholder muted">
          {probing ? 'Asking every server of this installation…' : 'No probe result yet. Use “Probe now” to see its servers.'}
        </p>
      )}
    </section>
  );
}
