// The History list's first page, asked for as soon as the app's code starts when the app
// opens on the History view: the answer (from SQLite, over IPC) is then on its way while
// React starts, instead of being asked for after it. useRunHistory shows it in its very first
// render when it has arrived by then, and takes it for its first load; later loads ask afresh.
import type { Result } from '../../../shared/result';
import type { RunPage } from '../../../shared/runRecord';
import { api } from '../api';
import { FIRST_PAGE } from './runPages';

export interface EarlyRunPage {
  asked: Promise<Result<RunPage>>;
  /** The answer once it has arrived; null before. */
  answer: Result<RunPage> | null;
}

let early: EarlyRunPage | null = null;

export function askFirstRunPageEarly(): void {
  if (early) return;
  const page: EarlyRunPage = { asked: api.listRunPage({ offset: 0, limit: FIRST_PAGE }), answer: null };
  void page.asked.then((answer) => {
    page.answer = answer;
  });
  early = page;
}

/**
 * Settles when the first page asked for early has arrived, or after `maxWaitMs`, or at once
 * when none was asked for: the app mounts after it, so that the page is usually there for
 * the first render, with no render of a "loading" state and its effects before the rows.
 */
export function earlyFirstRunPageArrived(maxWaitMs: number): Promise<unknown> {
  if (!early) return Promise.resolve();
  return Promise.race([early.asked, new Promise((done) => setTimeout(done, maxWaitMs))]);
}

/** The first page asked for early, if any, without taking it. */
export const peekEarlyFirstRunPage = (): EarlyRunPage | null => early;

/** The first page asked for early, once; null when none was (or it was taken already). */
export function takeEarlyFirstRunPage(): EarlyRunPage | null {
  const page = early;
  early = null;
  return page;
}
