// One run with its log. A run that is still going is read again every few seconds, so its
// detail page follows it to the end in either transport (IPC or the HTTP bridge).
import { useCallback, useEffect, useState } from 'react';
import type { ErrorPayload } from '../../../shared/result';
import type { RunRecord } from '../../../shared/runRecord';
import { api } from '../api';

const REFRESH_WHILE_RUNNING_MS = 2000;

export interface RunDetailState {
  run: RunRecord | null;
  /** When the run was last read: a running step's bar reaches this far. */
  loadedAt: number;
  error: ErrorPayload | null;
  reload(): Promise<void>;
}

export function useRunDetail(runId: string): RunDetailState {
  const [run, setRun] = useState<RunRecord | null>(null);
  const [error, setError] = useState<ErrorPayload | null>(null);
  const [loadedAt, setLoadedAt] = useState(0);

  const reload = useCallback(async () => {
    const result = await api.showRun({ runId });
    if (result.ok) {
      setLoadedAt(Date.now());
      setRun(result.value);
      setError(null);
    } else setError(result.error);
  }, [runId]);

  useEffect(() => {
    setRun(null);
    setError(null);
    void reload();
  }, [reload]);

  const live = run !== null && run.status === 'running' && !run.interrupted;
  useEffect(() => {
    if (!live) return;
    const timer = setInterval(() => void reload(), REFRESH_WHILE_RUNNING_MS);
    return () => clearInterval(timer);
  }, [live, reload]);

  return { run, loadedAt, error, reload };
}
