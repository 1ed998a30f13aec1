// The arithmetic of a windowed list: with a fixed row height, the rows in view follow from
// the scroll offset alone, so a list of 10,000 runs renders a few dozen rows at a time.
export interface WindowInput {
  scrollTop: number;
  viewportHeight: number;
  rowHeight: number;
  rowCount: number;
  /** Rows rendered beyond each edge, so fast scrolling does not show blanks. */
  overscan?: number;
}

export interface WindowRange {
  /** First rendered row (inclusive). */
  start: number;
  /** Row after the last rendered one (exclusive). */
  end: number;
  /** Where the first rendered row sits, from the top of the whole list. */
  offset: number;
  /** The height of all rows together: the scrollable extent. */
  totalHeight: number;
}

export function windowRange({ scrollTop, viewportHeight, rowHeight, rowCount, overscan = 6 }: WindowInput): WindowRange {
  const totalHeight = rowCount * rowHeight;
  if (rowCount === 0 || rowHeight <= 0) return { start: 0, end: 0, offset: 0, totalHeight: 0 };
  const top = Math.min(Math.max(0, scrollTop), Math.max(0, totalHeight - viewportHeight));
  const firstVisible = Math.floor(top / rowHeight);
  const lastVisible = Math.ceil((top + Math.max(0, viewportHeight)) / rowHeight);
  const start = Math.max(0, firstVisible - overscan);
  const end = Math.min(rowCount, Math.max(lastVisible, firstVisible + 1) + overscan);
  return { start, end, offset: start * rowHeight, totalHeight };
}

/** The scroll offset that brings row `index` fully into view, moving as little as possible. */
export function scrollTopToReveal(index: number, rowHeight: number, viewportHeight: number, scrollTop: number): number {
  const rowTop = index * rowHeight;
  const rowBottom = rowTop + rowHeight;
  if (rowTop < scrollTop) return rowTop;
  if (rowBottom > scrollTop + viewportHeight) return Math.max(0, rowBottom - viewportHeight);
  return scrollTop;
}

/** The row a navigation key moves to from `index` in a list of `count`, a page being `pageRows`. */
export function rowAfterKey(key: string, index: number, count: number, pageRows: number): number | null {
  if (count === 0) return null;
  const clamp = (i: number) => Math.min(count - 1, Math.max(0, i));
  switch (key) {
    case 'ArrowDown':
      return clamp(index + 1);
    case 'ArrowUp':
      return clamp(index - 1);
    case 'PageDown':
      return clamp(index + Math.max(1, pageRows));
    case 'PageUp':
      return clamp(index - Math.max(1, pageRows));
    case 'Home':
      return 0;
    case 'End':
      return count - 1;
    default:
      return null;
  }
}
