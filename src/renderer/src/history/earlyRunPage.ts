// The History list's first page, asked for as soon as the app's code starts when the app
// opens on the History view: the answer (from SQLite, over IPC) is then on its way while
// React starts and the History chunk loads, instead of being asked for after all that.
// useRunHistory takes it for its first load; every later load asks afresh.
import type { Result } from '../../../shared/result';
import type { RunPage } from '../../../shared/runRecord';
import { api } from '../api';
import { FIRST_PAGE } from './runPages';

let early: Promise<Result<RunPage>> | null = null;

export function askFirstRunPageEarly(): void {
  early ??= api.listRunPage({ offset: 0, limit: FIRST_PAGE });
}

/** The first page asked for early, once; null when none was (or it was taken already). */
export function takeEarlyFirstRunPage(): Promise<Result<RunPage>> | null {
  const page = early;
  early = null;
  return page;
}
