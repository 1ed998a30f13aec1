// This installation's earlier dump and restore speeds, read again for every run it watches.
import { useEffect, useState } from 'react';
import { api } from '../api';
import { learnThroughput, NO_HISTORY, type ThroughputHistory } from './throughputHistory';

const RUNS_CONSIDERED = 20;

export function useThroughputHistory(installation: string, runId: string | null): ThroughputHistory {
  const [history, setHistory] = useState<ThroughputHistory>(NO_HISTORY);
  useEffect(() => {
    if (!installation) return;
    let current = true;
    void api.listRuns({ installation, limit: RUNS_CONSIDERED }).then((result) => {
      // Without history the ETA simply waits for this run's own measurements.
      if (current && result.ok) setHistory(learnThroughput(result.value));
    });
    return () => {
      current = false;
    };
  }, [installation, runId]);
  return history;
}
