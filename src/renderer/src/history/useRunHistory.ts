// Every recorded run, as list summaries, paged in from the core (listRunPage): a small first
// page shows the list and the total at once; the rest follows page by page behind it, and
// the pages a scroll reaches first come first. Filters and search need every run: they
// wait for the rest (allLoaded). The very first page may have been asked for as the app
// started (earlyRunPage.ts), and be here for the first render. The rest is asked for once
// the first rows are on screen, so the first screen never waits behind the big pages.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ErrorPayload, Result } from '../../../shared/result';
import type { RunPage } from '../../../shared/runRecord';
import { api } from '../api';
import { peekEarlyFirstRunPage, takeEarlyFirstRunPage, type EarlyRunPage } from './earlyRunPage';
import { FIRST_PAGE, isComplete, missingPages, NO_ROWS, PAGE, withPage, type PagedRows } from './runPages';
import { summarizeRun, type RunSummary } from './runSummary';

export interface RunHistory {
  /** null until the first page arrives. */
  runs: PagedRows<RunSummary> | null;
  /** Every run has arrived. */
  allLoaded: boolean;
  loading: boolean;
  error: ErrorPayload | null;
  reload(): Promise<void>;
  /** Loads the pages of rows [start, end) that are missing, before the rest. */
  show(start: number, end: number): void;
}

/** After the next frame (so after the rows just set are painted), or 100 ms where no frame comes: a hidden window. */
const afterNextFrame = (): Promise<void> =>
  new Promise((done) => {
    requestAnimationFrame(() => setTimeout(done));
    setTimeout(done, 100);
  });

/** The rows of a first page that has already arrived, or null. */
function rowsOf(page: EarlyRunPage | null): PagedRows<RunSummary> | null {
  const answer = page?.answer;
  return answer?.ok ? withPage(NO_ROWS, 0, answer.value.runs.map(summarizeRun), answer.value.total) : null;
}

export function useRunHistory(): RunHistory {
  // A first page asked for as the app started and already here shows in the first render.
  const [initial] = useState(() => rowsOf(peekEarlyFirstRunPage()));
  const [runs, setRuns] = useState<PagedRows<RunSummary> | null>(initial);
  const [loading, setLoading] = useState(initial === null);
  const [error, setError] = useState<ErrorPayload | null>(null);
  // What the loaders read and write between renders; a reload starts a new generation.
  const current = useRef<PagedRows<RunSummary>>(initial ?? NO_ROWS);
  const generation = useRef(0);
  const requested = useRef(new Set<number>());

  const loadPage = useCallback(async (offset: number, limit: number, gen: number, asked?: Promise<Result<RunPage>>): Promise<boolean> => {
    const result = await (asked ?? api.listRunPage({ offset, limit }));
    if (gen !== generation.current) return false;
    if (!result.ok) {
      setError(result.error);
      return false;
    }
    setError(null);
    // Runs came or went since the earlier pages: those are stale, and start over.
    if (current.current.total !== null && current.current.total !== result.value.total) requested.current = new Set([offset]);
    current.current = withPage(current.current, offset, result.value.runs.map(summarizeRun), result.value.total);
    setRuns(current.current);
    return true;
  }, []);

  const loadRest = useCallback(
    async (gen: number) => {
      for (;;) {
        const [offset] = missingPages(current.current, 0, current.current.total ?? 0).filter((o) => !requested.current.has(o));
        if (offset === undefined || gen !== generation.current) return;
        requested.current.add(offset);
        if (!(await loadPage(offset, PAGE, gen))) return;
      }
    },
    [loadPage],
  );

  const reload = useCallback(async () => {
    const gen = ++generation.current;
    requested.current = new Set();
    current.current = NO_ROWS;
    setLoading(true);
    const ok = await loadPage(0, FIRST_PAGE, gen, takeEarlyFirstRunPage()?.asked);
    if (gen === generation.current) setLoading(false);
    if (!ok) return;
    await afterNextFrame();
    await loadRest(gen);
  }, [loadPage, loadRest]);

  const show = useCallback(
    (start: number, end: number) => {
      const gen = generation.current;
      for (const offset of missingPages(current.current, start, end)) {
        if (requested.current.has(offset)) continue;
        requested.current.add(offset);
        void loadPage(offset, PAGE, gen);
      }
    },
    [loadPage],
  );

  useEffect(() => {
    void reload();
  }, [reload]);

  return { runs, allLoaded: runs !== null && isComplete(runs), loading, error, reload, show };
}
