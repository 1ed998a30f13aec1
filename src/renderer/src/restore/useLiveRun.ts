// Follows one restore run through its events. The subscription opens when the wizard
// mounts, before any run starts: a run's first events (and a manual step's question) can
// arrive before startRestore has even answered with the run's id, so recent events are
// kept and replayed once the wizard knows which run is its own.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { RestoreEvent } from '../../../shared/restoreEvents';
import { onRestoreEvent } from '../api';
import { applyRestoreEvent, type LiveRun } from './runState';

const KEPT_EVENTS = 2000;

interface Received {
  /** Counts every event this hook received, so a mark can say "from here on". */
  n: number;
  event: RestoreEvent;
  at: number;
}

export interface LiveRunControl {
  run: LiveRun | null;
  /** Marks this moment; call it just before asking the core to start or resume a run. */
  mark(): number;
  /** Watch `seed.runId` from now on, replaying its events received since `mark`. */
  follow(seed: LiveRun, mark: number): void;
  /** The admin answered the open question (the run goes on without further notice). */
  clearQuestion(): void;
  stop(): void;
}

export function useLiveRun(onEnded: (runId: string) => void): LiveRunControl {
  const [run, setRun] = useState<LiveRun | null>(null);
  const received = useRef<Received[]>([]);
  const count = useRef(0);
  const followed = useRef<string | null>(null);
  const ended = useRef(onEnded);

  useEffect(() => {
    ended.current = onEnded;
  }, [onEnded]);

  useEffect(
    () =>
      onRestoreEvent((event) => {
        const at = Date.now();
        received.current.push({ n: count.current++, event, at });
        if (received.current.length > KEPT_EVENTS) received.current.splice(0, received.current.length - KEPT_EVENTS);
        if (event.runId !== followed.current) return;
        setRun((current) => (current ? applyRestoreEvent(current, event, at) : current));
        if (event.type === 'run' && event.status !== 'running') ended.current(event.runId);
      }),
    [],
  );

  const mark = useCallback(() => count.current, []);

  const follow = useCallback((seed: LiveRun, since: number) => {
    followed.current = seed.runId;
    let state = seed;
    let endedWhileStarting = false;
    for (const { n, event, at } of received.current) {
      if (event.runId !== seed.runId || n < since) continue;
      state = applyRestoreEvent(state, event, at);
      if (event.type === 'run' && event.status !== 'running') endedWhileStarting = true;
    }
    setRun(state);
    if (endedWhileStarting) ended.current(seed.runId);
  }, []);

  const clearQuestion = useCallback(() => setRun((current) => (current ? { ...current, question: null } : current)), []);
  const stop = useCallback(() => {
    followed.current = null;
    setRun(null);
  }, []);

  return { run, mark, follow, clearQuestion, stop };
}
