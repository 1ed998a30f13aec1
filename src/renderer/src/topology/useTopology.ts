// The topology as the view shows it: the cached snapshots at once (useful offline), a live
// probe when they are missing or old, another on demand and every minute while the window
// is visible. Each server's last reachable state is remembered, so when a database goes
// away the admin still sees what it looked like before.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ErrorPayload } from '../../../shared/result';
import type { ServerProbe, TopologySnapshot } from '../../../shared/topology';
import { api } from '../api';
import { PROBE_INTERVAL_MS } from './probeTime';

export interface LastReachable {
  probe: ServerProbe;
  probedAt: string;
}

export interface TopologyState {
  /** By installation name. */
  snapshots: ReadonlyMap<string, TopologySnapshot>;
  /** By server ref (`installation/server`): its newest probe that reached the database. */
  lastReachable: ReadonlyMap<string, LastReachable>;
  /** The cache has answered (with or without snapshots). */
  loaded: boolean;
  probing: boolean;
  /** The newest probe failed as a whole; the snapshots shown are the last known ones. */
  probeError: ErrorPayload | null;
  cacheError: ErrorPayload | null;
  probe(): Promise<void>;
}

function rememberReachable(previous: ReadonlyMap<string, LastReachable>, snapshots: TopologySnapshot[]): Map<string, LastReachable> {
  const next = new Map(previous);
  for (const snapshot of snapshots) {
    for (const probe of snapshot.servers) {
      const known = next.get(probe.ref);
      if (probe.database.reachable && (!known || known.probedAt <= snapshot.probedAt)) {
        next.set(probe.ref, { probe, probedAt: snapshot.probedAt });
      }
    }
  }
  return next;
}

/** `installations`: the names the view shows; a missing or old snapshot among them starts a probe. */
export function useTopology(installations: readonly string[]): TopologyState {
  const [snapshots, setSnapshots] = useState<ReadonlyMap<string, TopologySnapshot>>(new Map());
  const [lastReachable, setLastReachable] = useState<ReadonlyMap<string, LastReachable>>(new Map());
  const [loaded, setLoaded] = useState(false);
  const [probing, setProbing] = useState(false);
  const [probeError, setProbeError] = useState<ErrorPayload | null>(null);
  const [cacheError, setCacheError] = useState<ErrorPayload | null>(null);
  const probingRef = useRef(false);
  const newestProbeRef = useRef(0);
  const mounted = useRef(true);

  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  const accept = useCallback((received: TopologySnapshot[]) => {
    setSnapshots((previous) => {
      const next = new Map(previous);
      // An answer that arrives late must not replace a newer picture.
      for (const s of received) if ((next.get(s.installation)?.probedAt ?? '') <= s.probedAt) next.set(s.installation, s);
      return next;
    });
    setLastReachable((previous) => rememberReachable(previous, received));
    const newest = Math.max(0, ...received.map((s) => new Date(s.probedAt).getTime()).filter(Number.isFinite));
    newestProbeRef.current = Math.max(newestProbeRef.current, newest);
  }, []);

  const probe = useCallback(async () => {
    if (probingRef.current) return;
    probingRef.current = true;
    setProbing(true);
    const result = await api.probeTopology({});
    probingRef.current = false;
    if (!mounted.current) return;
    setProbing(false);
    if (result.ok) {
      setProbeError(null);
      accept(result.value);
    } else setProbeError(result.error);
  }, [accept]);

  const names = installations.join('\n');
  useEffect(() => {
    let current = true;
    void api.cachedTopology({}).then((result) => {
      if (!current) return;
      setLoaded(true);
      if (!result.ok) {
        setCacheError(result.error);
        void probe();
        return;
      }
      setCacheError(null);
      accept(result.value);
      const wanted = names === '' ? [] : names.split('\n');
      const cachedAt = new Map(result.value.map((s) => [s.installation, new Date(s.probedAt).getTime()]));
      const due = wanted.some((name) => Date.now() - (cachedAt.get(name) ?? 0) > PROBE_INTERVAL_MS);
      if (due) void probe();
    });
    return () => {
      current = false;
    };
  }, [names, accept, probe]);

  useEffect(() => {
    const probeIfDue = () => {
      if (document.visibilityState === 'visible' && Date.now() - newestProbeRef.current >= PROBE_INTERVAL_MS - 1000) void probe();
    };
    const timer = window.setInterval(probeIfDue, PROBE_INTERVAL_MS);
    document.addEventListener('visibilitychange', probeIfDue);
    return () => {
      window.clearInterval(timer);
      document.removeEventListener('visibilitychange', probeIfDue);
    };
  }, [probe]);

  return { snapshots, lastReachable, loaded, probing, probeError, cacheError, probe };
}
