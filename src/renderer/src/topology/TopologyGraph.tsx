import type { KeyboardEvent } from 'react';
import type { ServerProbe, TopologySnapshot } from '../../../shared/topology';
import { clockTime } from './probeTime';
import { flagsOf, lagLabel, processText, routeText, serverStatus, type Tone } from './serverStatus';
import type { LastReachable } from './useTopology';

interface TopologyGraphProps {
  snapshot: TopologySnapshot;
  lastReachable: ReadonlyMap<string, LastReachable>;
  selected: string | null;
  onSelect(server: string): void;
}

// The picture is laid out left to right: the master, then a column of replicas, so it
// grows downwards with the number of replicas and every edge keeps room for its label.
const NODE_W = 212;
const NODE_H = 76;
const GAP_X = 176;
const GAP_Y = 18;
const PAD = 14;
const MAX_NAME_CHARS = 17;

const truncate = (text: string, max: number): string => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
/** A rough width for a label pill; the graph has no layout engine, and digits are narrow enough. */
const pillWidth = (text: string): number => Math.max(64, text.length * 7.4 + 22);

function onActivate(select: () => void) {
  return (e: KeyboardEvent<SVGGElement>) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      select();
    }
  };
}

interface NodeProps {
  snapshot: TopologySnapshot;
  probe: ServerProbe;
  x: number;
  y: number;
  selected: boolean;
  onSelect(): void;
}

function ServerNode({ snapshot, probe, x, y, selected, onSelect }: NodeProps) {
  const status = serverStatus(snapshot, probe);
  const flags = flagsOf(snapshot, probe.name);
  const reachable = probe.database.reachable;
  const processTone: Tone =
    probe.process.state === 'running' ? 'ok' : probe.process.state === 'stopped' ? 'warning' : 'unknown';
  // `15.4 (Debian 15.4-1)`: the number is what fits and what matters at a glance.
  const version = probe.database.serverVersion ? `PostgreSQL ${probe.database.serverVersion.split(' ')[0]}` : null;
  const route = routeText(probe);
  return (
    <g
      className={`topo-node topo-tone-${status.tone}${selected ? ' topo-node-selected' : ''}`}
      transform={`translate(${x} ${y})`}
      role="button"
      tabIndex={0}
      aria-label={status.spoken}
      aria-pressed={selected}
      onClick={onSelect}
      onKeyDown={onActivate(onSelect)}
    >
      <rect className="topo-node-box" width={NODE_W} height={NODE_H} rx={8} />
      <rect className="topo-node-stripe" width={5} height={NODE_H - 16} x={0} y={8} rx={2} />
      <text className="topo-node-name" x={16} y={23}>
        {truncate(probe.name, MAX_NAME_CHARS)}
      </text>
      <text className={`topo-node-role topo-role-${probe.role}`} x={NODE_W - 12} y={22} textAnchor="end">
        {probe.role === 'master' ? 'MASTER' : 'REPLICA'}
      </text>
      {route ? (
        <text className={`topo-node-route${probe.routeBreak ? ' topo-node-route-broken' : ''}`} x={NODE_W - 12} y={38} textAnchor="end">
          {probe.routeBreak ? `SSH ✕ ${probe.routeBreak.hopIndex + 1}/${probe.routeBreak.hopCount}` : 'via SSH'}
        </text>
      ) : null}
      <circle className={`topo-dot topo-dot-${reachable ? 'ok' : 'error'}`} cx={20} cy={42} r={4} />
      <text className="topo-node-line" x={30} y={46}>
        {reachable ? (version ?? 'reachable') : 'unreachable'}
      </text>
      <circle className={`topo-dot topo-dot-${processTone}`} cx={20} cy={61} r={4} />
      <text className="topo-node-line" x={30} y={65}>
        {processText(probe)}
      </text>
      {flags.length > 0 ? (
        <g className={`topo-flag-count topo-tone-${flags.some((f) => f.severity === 'error') ? 'error' : 'warning'}`}>
          <rect x={NODE_W - 46} y={52} width={36} height={17} rx={8.5} />
          <text x={NODE_W - 28} y={64} textAnchor="middle">
            ⚑ {flags.length}
          </text>
        </g>
      ) : null}
      <title>{`${probe.ref}: ${status.summary}`}</title>
    </g>
  );
}

interface EdgeProps {
  from: { x: number; y: number };
  to: { x: number; y: number };
  probe: ServerProbe;
  lastKnown: LastReachable | undefined;
}

function ReplicationEdge({ from, to, probe, lastKnown }: EdgeProps) {
  const lag = lagLabel(probe);
  const midX = (from.x + to.x) / 2;
  const path = `M ${from.x} ${from.y} C ${midX} ${from.y}, ${midX} ${to.y}, ${to.x} ${to.y}`;
  // Unreachable now: say what it was, so the last-known state stays in the picture.
  const was = !probe.database.reachable && lastKnown?.probe.lag != null ? `was ${lagLabel(lastKnown.probe).text}` : null;
  const width = Math.max(pillWidth(lag.text), was ? pillWidth(was) - 6 : 0);
  const height = was ? 36 : 22;
  const cx = to.x - width / 2 - 14;
  return (
    <g className={`topo-edge topo-tone-${lag.tone}`}>
      {was && lastKnown ? <title>{`${probe.name}: lag unknown now; ${was} at ${clockTime(lastKnown.probedAt)}, when it was last reachable`}</title> : null}
      <path className="topo-edge-line" d={path} />
      <circle className="topo-edge-end" cx={to.x - 2} cy={to.y} r={3} />
      <g className="topo-edge-label">
        <rect x={cx - width / 2} y={to.y - height / 2} width={width} height={height} rx={was ? 10 : 11} />
        <text x={cx} y={to.y + (was ? -3 : 4)} textAnchor="middle">
          {lag.text}
        </text>
        {was ? (
          <text className="topo-edge-was" x={cx} y={to.y + 12} textAnchor="middle">
            {was}
          </text>
        ) : null}
      </g>
    </g>
  );
}

/** One installation as a picture: its master, an edge to each replica with the lag on it. */
export function TopologyGraph({ snapshot, lastReachable, selected, onSelect }: TopologyGraphProps) {
  const master = snapshot.servers.find((s) => s.role === 'master') ?? null;
  const replicas = snapshot.servers.filter((s) => s.role === 'replica');
  const rows = Math.max(1, replicas.length);
  const height = PAD * 2 + rows * NODE_H + (rows - 1) * GAP_Y;
  const width = PAD * 2 + NODE_W * 2 + GAP_X;
  const masterY = (height - NODE_H) / 2;
  const replicaX = PAD + NODE_W + GAP_X;
  const replicaY = (i: number) => PAD + i * (NODE_H + GAP_Y);

  return (
    <svg
      className="topo-graph"
      viewBox={`0 0 ${width} ${height}`}
      width={width}
      height={height}
      role="group"
      aria-label={`${snapshot.installation} replication`}
    >
      {master
        ? replicas.map((r, i) => (
            <ReplicationEdge
              key={`edge-${r.name}`}
              from={{ x: PAD + NODE_W, y: masterY + NODE_H / 2 }}
              to={{ x: replicaX, y: replicaY(i) + NODE_H / 2 }}
              probe={r}
              lastKnown={lastReachable.get(r.ref)}
            />
          ))
        : null}
      {master ? (
        <ServerNode snapshot={snapshot} probe={master} x={PAD} y={masterY} selected={selected === master.name} onSelect={() => onSelect(master.name)} />
      ) : null}
      {replicas.map((r, i) => (
        <ServerNode key={r.name} snapshot={snapshot} probe={r} x={replicaX} y={replicaY(i)} selected={selected === r.name} onSelect={() => onSelect(r.name)} />
      ))}
      {replicas.length === 0 ? (
        <text className="topo-empty" x={replicaX} y={height / 2 + 4}>
          No Replication Live Servers in this installation.
        </text>
      ) : null}
    </svg>
  );
}
