// A tested SSH route, hop by hop from this workstation: each hop's role, address, outcome
// (ok / failed / not tried) and the host key it presented, then the database at its end.
import './route.css';
import type { RouteHopResult, RouteView } from '../../../../shared/sshRoutes';

interface RouteHopListProps {
  view: RouteView;
  hops: RouteHopResult[];
  /** The database's own outcome after the last hop. */
  database: 'ok' | 'failed' | 'not-tried';
}

const statusWords: Record<RouteHopResult['status'], { text: string; className: string }> = {
  ok: { text: 'ok', className: 'status status-ok' },
  failed: { text: 'failed', className: 'status status-error' },
  'not-tried': { text: 'not tried', className: 'status status-muted' },
};

export function RouteHopList({ view, hops, database }: RouteHopListProps) {
  return (
    <ol className="route-hops" aria-label="SSH route">
      {hops.map((hop, i) => (
        <li key={`${i}:${hop.description}`} className={`route-hop route-hop-${hop.status}`}>
          <span className="route-hop-role">
            {i + 1}. {hop.role}
            {hop.alias ? <span className="muted"> “{hop.alias}”</span> : null}
          </span>
          <code className="route-hop-address">{hop.description}</code>
          <span className={statusWords[hop.status].className}>{statusWords[hop.status].text}</span>
          {hop.hostKeyFingerprint ? <code className="route-hop-key" title="Host key it presented">{hop.hostKeyFingerprint}</code> : null}
          {hop.elapsedMs !== undefined ? <span className="muted route-hop-time">{hop.elapsedMs} ms</span> : null}
        </li>
      ))}
      <li className={`route-hop route-hop-${database}`}>
        <span className="route-hop-role">database</span>
        <code className="route-hop-address">{view.target}</code>
        <span className={statusWords[database].className}>{database === 'ok' ? 'connected' : statusWords[database].text}</span>
      </li>
    </ol>
  );
}
