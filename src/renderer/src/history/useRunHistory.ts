// Every recorded run, as list summaries. The whole history is loaded at once (the core
// answers up to 100,000 runs), so filtering and search never wait on the backend.
import { useCallback, useEffect, useState } from 'react';
import type { ErrorPayload } from '../../../shared/result';
import { api } from '../api';
import { summarizeRun, type RunSummary } from './runSummary';

export const HISTORY_LIMIT = 100_000;

export interface RunHistory {
  /** null until the first answer arrives. */
  runs: RunSummary[] | null;
  loading: boolean;
  error: ErrorPayload | null;
  reload(): Promise<void>;
}

export function useRunHistory(): RunHistory {
  const [runs, setRuns] = useState<RunSummary[] | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<ErrorPayload | null>(null);

  const reload = useCallback(async () => {
    setLoading(true);
    const result = await api.listRuns({ limit: HISTORY_LIMIT });
    setLoading(false);
    if (!result.ok) {
      setError(result.error);
      return;
    }
    setError(null);
    setRuns(result.value.map(summarizeRun));
  }, []);

  useEffect(() => {
    void reload();
  }, [reload]);

  return { runs, loading, error, reload };
}
