import { useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { useWindowedRows } from './useWindowedRows';
import { rowAfterKey, scrollTopToReveal } from './windowRange';

interface WindowedListProps {
  label: string;
  rowCount: number;
  /** Must equal the rows' CSS height: the window is computed from it. */
  rowHeight: number;
  /** One row; give the focusable element `tabIndex` so the list keeps one tab stop. */
  renderRow(index: number, tabIndex: 0 | -1): ReactNode;
  /** When this changes (e.g. new filters), the list scrolls back to the top. */
  resetKey?: string;
  className?: string;
  /** Told which rows [start, end) are rendered, whenever that changes (e.g. to load them). */
  onRangeChange?(start: number, end: number): void;
}

/**
 * A list that renders only the rows in view (plus a few either side), inside its own
 * scroller. Arrow keys, Page Up/Down, Home and End move between rows, scrolling as needed.
 */
export function WindowedList({ label, rowCount, rowHeight, renderRow, resetKey, className, onRangeChange }: WindowedListProps) {
  const { scrollerRef, range, viewportHeight, onScroll, scrollTo } = useWindowedRows(rowCount, rowHeight);
  useEffect(() => onRangeChange?.(range.start, range.end), [onRangeChange, range.start, range.end]);
  const sizerRef = useRef<HTMLDivElement | null>(null);
  const windowRef = useRef<HTMLDivElement | null>(null);
  const [active, setActive] = useState(0);
  const focusPending = useRef(false);

  // Geometry that changes with every scroll cannot be a class; the CSSOM is not an inline
  // style attribute, so the page's CSP (style-src 'self') allows it.
  useLayoutEffect(() => {
    if (sizerRef.current) sizerRef.current.style.height = `${range.totalHeight}px`;
    if (windowRef.current) windowRef.current.style.transform = `translateY(${range.offset}px)`;
  }, [range.totalHeight, range.offset]);

  // New contents (e.g. other filters) start at the top.
  const [seenResetKey, setSeenResetKey] = useState(resetKey);
  if (seenResetKey !== resetKey) {
    setSeenResetKey(resetKey);
    setActive(0);
  }
  const firstRender = useRef(true);
  useEffect(() => {
    if (firstRender.current) firstRender.current = false;
    else scrollTo(0);
  }, [resetKey, scrollTo]);

  useEffect(() => {
    if (!focusPending.current) return;
    const row = scrollerRef.current?.querySelector<HTMLElement>(`[data-row-index="${active}"] a, [data-row-index="${active}"] button`);
    if (row) {
      focusPending.current = false;
      row.focus({ preventScroll: true });
    }
  });

  const activeIndex = Math.min(active, Math.max(0, rowCount - 1));
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const next = rowAfterKey(event.key, activeIndex, rowCount, Math.floor(viewportHeight / rowHeight) - 1);
    if (next === null || event.altKey || event.ctrlKey || event.metaKey) return;
    event.preventDefault();
    focusPending.current = true;
    setActive(next);
    const scroller = scrollerRef.current;
    if (scroller) scrollTo(scrollTopToReveal(next, rowHeight, scroller.clientHeight, scroller.scrollTop));
  };

  const rows: ReactNode[] = [];
  for (let index = range.start; index < range.end; index++) {
    rows.push(
      <div key={index} role="listitem" aria-posinset={index + 1} aria-setsize={rowCount} data-row-index={index} className="windowed-list-item">
        {renderRow(index, index === activeIndex ? 0 : -1)}
      </div>,
    );
  }
  const activeRendered = activeIndex >= range.start && activeIndex < range.end;

  return (
    <div
      ref={scrollerRef}
      className={`windowed-list${className ? ` ${className}` : ''}`}
      onScroll={onScroll}
      onKeyDown={onKeyDown}
      onFocus={(event) => {
        const index = Number((event.target as HTMLElement).closest('[data-row-index]')?.getAttribute('data-row-index'));
        if (Number.isInteger(index) && index !== activeIndex) setActive(index);
      }}
      tabIndex={activeRendered ? -1 : 0}
    >
      <div ref={sizerRef} className="windowed-list-sizer">
        <div ref={windowRef} className="windowed-list-window" role="list" aria-label={label}>
          {rows}
        </div>
      </div>
    </div>
  );
}
