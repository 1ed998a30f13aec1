// The run list as the History view holds it while it pages through the history: one slot
// per run of the total, filled page by page (listRunPage), newest first. Pure functions, so
// the paging arithmetic is testable without a page.

/**
 * The first screen's page: small, so the list shows at once however long the history is, and
 * still more rows (56 px each) than the tallest window shows.
 */
export const FIRST_PAGE = 50;
/** The pages that fill the rest, behind the first screen and wherever the list is scrolled. */
export const PAGE = 1000;

export interface PagedRows<T> {
  /** How many runs there are; null until the first page arrived. */
  total: number | null;
  /** One slot per run, newest first; undefined where its page has not arrived yet. */
  rows: Array<T | undefined>;
  loaded: number;
}

export const NO_ROWS: PagedRows<never> = { total: null, rows: [], loaded: 0 };

/** `rows` with a page put in at `offset`; a changed total starts over from this page. */
export function withPage<T>(paged: PagedRows<T>, offset: number, items: readonly T[], total: number): PagedRows<T> {
  const rows: Array<T | undefined> = paged.total === total ? paged.rows.slice() : new Array<T | undefined>(total).fill(undefined);
  let loaded = paged.total === total ? paged.loaded : 0;
  items.forEach((item, i) => {
    const at = offset + i;
    if (at >= total) return;
    if (rows[at] === undefined) loaded++;
    rows[at] = item;
  });
  return { total, rows, loaded };
}

/** The offsets of the PAGE-sized pages that rows [start, end) fall in and that are not loaded. */
export function missingPages<T>(paged: PagedRows<T>, start: number, end: number): number[] {
  const offsets: number[] = [];
  const last = Math.min(end, paged.total ?? 0);
  for (let page = Math.floor(start / PAGE) * PAGE; page < last; page += PAGE) {
    for (let i = Math.max(page, start); i < Math.min(page + PAGE, last); i++) {
      if (paged.rows[i] === undefined) {
        offsets.push(page);
        break;
      }
    }
  }
  return offsets;
}

/** Every run has arrived. */
export const isComplete = <T,>(paged: PagedRows<T>): boolean => paged.total !== null && paged.loaded >= paged.total;
