// How a probed server reads at a glance: one tone for its node, a short state for the
// picture and the screen reader, and the label on its edge. Pure, so the picture, the
// details panel and the flag list always agree on what "lagging" or "down" means.
import type { ServerProbe, TopologyFlag, TopologySnapshot } from '../../../shared/topology';

/** ok: nothing to do; warning: look at it; error: it is down or unsafe; unknown: never probed. */
export type Tone = 'ok' | 'warning' | 'error' | 'unknown';

export const flagsOf = (snapshot: TopologySnapshot, server: string): TopologyFlag[] =>
  snapshot.flags.filter((f) => f.servers.includes(server));

/** A 64-bit decimal with digit grouping; BigInt keeps the digits a number would lose. */
export function groupDigits(decimal: string): string {
  try {
    return BigInt(decimal).toLocaleString('en-US');
  } catch {
    return decimal;
  }
}

export type LagKind = 'in-sync' | 'behind' | 'ahead' | 'unknown';

export interface LagLabel {
  kind: LagKind;
  /** e.g. "lag 7", "ahead 3", "lag 0", "unknown". */
  text: string;
  tone: Tone;
}

export function lagLabel(probe: Pick<ServerProbe, 'lag'>): LagLabel {
  if (probe.lag === null) return { kind: 'unknown', text: 'unknown', tone: 'unknown' };
  const lag = BigInt(probe.lag);
  if (lag < 0n) return { kind: 'ahead', text: `ahead ${groupDigits((-lag).toString())}`, tone: 'error' };
  if (lag === 0n) return { kind: 'in-sync', text: 'lag 0', tone: 'ok' };
  return { kind: 'behind', text: `lag ${groupDigits(probe.lag)}`, tone: 'warning' };
}

const processStates: Record<ServerProbe['process']['state'], string> = {
  running: 'running',
  stopped: 'stopped',
  unknown: 'process unknown',
  'not-configured': 'process not checked',
  'not-approved': 'command not approved',
};

export const processText = (probe: ServerProbe): string => processStates[probe.process.state];

export interface ServerStatus {
  tone: Tone;
  /** Short words for the node, e.g. "reachable · running". */
  summary: string;
  /** Everything the picture shows, for the node's accessible name. */
  spoken: string;
}

export function serverStatus(snapshot: TopologySnapshot, probe: ServerProbe): ServerStatus {
  const flags = flagsOf(snapshot, probe.name);
  const database = probe.database.reachable ? 'reachable' : 'unreachable';
  const lag = probe.role === 'replica' ? lagLabel(probe) : null;
  let tone: Tone = 'ok';
  if (!probe.database.reachable || flags.some((f) => f.severity === 'error')) tone = 'error';
  else if (
    flags.length > 0 ||
    probe.process.state === 'stopped' ||
    probe.process.state === 'unknown' ||
    probe.process.state === 'not-approved' ||
    lag?.kind === 'behind'
  )
    tone = 'warning';

  const parts = [database];
  if (probe.process.state !== 'not-configured') parts.push(processText(probe));
  const spokenParts = [probe.role === 'master' ? 'master' : 'replica', ...parts];
  if (lag?.kind === 'behind') spokenParts.push('lagging', lag.text);
  else if (lag) spokenParts.push(lag.text === 'unknown' ? 'lag unknown' : lag.text);
  if (flags.length > 0) spokenParts.push(`${flags.length} ${flags.length === 1 ? 'flag' : 'flags'}`);
  const route = routeText(probe);
  if (route) spokenParts.push(route);
  return { tone, summary: parts.join(' · '), spoken: `${probe.name}: ${spokenParts.join(', ')}` };
}

/** "via SSH", or where the route broke ("SSH broke at hop 2 of 2"); null for a direct connection. */
export function routeText(probe: Pick<ServerProbe, 'route' | 'routeBreak'>): string | null {
  if (probe.routeBreak) return `SSH broke at hop ${probe.routeBreak.hopIndex + 1} of ${probe.routeBreak.hopCount}`;
  return probe.route ? 'via SSH' : null;
}

/** The whole installation's tone: its worst server. */
export function snapshotTone(snapshot: TopologySnapshot): Tone {
  const tones = snapshot.servers.map((s) => serverStatus(snapshot, s).tone);
  if (tones.includes('error')) return 'error';
  if (tones.includes('warning')) return 'warning';
  return tones.length === 0 ? 'unknown' : 'ok';
}
