import { describe, expect, it } from 'vitest';
import { FIRST_PAGE, isComplete, missingPages, NO_ROWS, PAGE, withPage } from '../../../src/renderer/src/history/runPages';

const ids = (from: number, n: number) => Array.from({ length: n }, (_, i) => `run-${from + i}`);

describe('the History view’s pages of runs', () => {
  it('holds a slot per run of the total once the first page arrives, the rest still missing', () => {
    const paged = withPage(NO_ROWS, 0, ids(0, FIRST_PAGE), 10_000);
    expect(paged.total).toBe(10_000);
    expect(paged.rows).toHaveLength(10_000);
    expect(paged.loaded).toBe(FIRST_PAGE);
    expect(paged.rows[FIRST_PAGE - 1]).toBe(`run-${FIRST_PAGE - 1}`);
    expect(paged.rows[FIRST_PAGE]).toBeUndefined();
    expect(isComplete(paged)).toBe(false);
  });

  it('asks for the pages a scrolled-to window lacks, and no others', () => {
    const paged = withPage(NO_ROWS, 0, ids(0, FIRST_PAGE), 10_000);
    // The top of the list: rows 0–20 are there.
    expect(missingPages(paged, 0, 20)).toEqual([]);
    // Row 100 lacks: its page (0–999) is asked for again, whole.
    expect(missingPages(paged, 90, 110)).toEqual([0]);
    // Scrolled to the end: only the last page.
    expect(missingPages(paged, 9_985, 10_000)).toEqual([9_000]);
    // A window across two pages.
    expect(missingPages(paged, 4_990, 5_010)).toEqual([4_000, 5_000]);
    // Beyond the total there is nothing to load.
    expect(missingPages(paged, 10_000, 10_020)).toEqual([]);
  });

  it('is complete when every page has arrived, in any order, counting each run once', () => {
    let paged = withPage(NO_ROWS, 0, ids(0, FIRST_PAGE), 2_500);
    for (const offset of [2_000, 0, 1_000]) paged = withPage(paged, offset, ids(offset, Math.min(PAGE, 2_500 - offset)), 2_500);
    expect(paged.loaded).toBe(2_500);
    expect(isComplete(paged)).toBe(true);
    expect(paged.rows).toEqual(ids(0, 2_500));
    expect(missingPages(paged, 0, 2_500)).toEqual([]);
  });

  it('starts over when the total changed between pages (runs came or went)', () => {
    const before = withPage(NO_ROWS, 0, ids(0, PAGE), 3_000);
    const after = withPage(before, 1_000, ids(1_001, PAGE), 3_001);
    expect(after.total).toBe(3_001);
    expect(after.loaded).toBe(PAGE);
    expect(after.rows[0]).toBeUndefined();
    expect(missingPages(after, 0, 3_001)).toEqual([0, 2_000, 3_000]);
  });
});
