// Which rows of a long list are in view: follows the scroller's offset and height and
// answers with the window to render (see windowRange.ts). Scroll events are coalesced to
// one update per frame.
import { useCallback, useEffect, useRef, useState, type RefObject } from 'react';
import { windowRange, type WindowRange } from './windowRange';

export interface WindowedRows {
  scrollerRef: RefObject<HTMLDivElement | null>;
  range: WindowRange;
  viewportHeight: number;
  onScroll(): void;
  scrollTo(top: number): void;
}

/** Before the scroller is measured, assume a tall window rather than render nothing. */
const UNMEASURED_HEIGHT = 900;

export function useWindowedRows(rowCount: number, rowHeight: number, overscan = 6): WindowedRows {
  const scrollerRef = useRef<HTMLDivElement | null>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewportHeight, setViewportHeight] = useState(UNMEASURED_HEIGHT);
  const frame = useRef<number | null>(null);
  // Hiding the list (display: none, e.g. while a run's page is open) resets its scroll
  // offset; the last one seen while visible is put back when it shows again.
  const lastScrollTop = useRef(0);

  useEffect(() => {
    const scroller = scrollerRef.current;
    if (!scroller) return;
    const measure = () => {
      setViewportHeight(scroller.clientHeight || UNMEASURED_HEIGHT);
      if (scroller.clientHeight > 0 && scroller.scrollTop !== lastScrollTop.current) scroller.scrollTop = lastScrollTop.current;
    };
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(scroller);
    return () => observer.disconnect();
  }, []);

  useEffect(
    () => () => {
      if (frame.current !== null) cancelAnimationFrame(frame.current);
    },
    [],
  );

  const onScroll = useCallback(() => {
    const scroller = scrollerRef.current;
    if (!scroller || scroller.clientHeight === 0) return;
    lastScrollTop.current = scroller.scrollTop;
    if (frame.current !== null) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = null;
      setScrollTop(scrollerRef.current?.scrollTop ?? 0);
    });
  }, []);

  const scrollTo = useCallback((top: number) => {
    const scroller = scrollerRef.current;
    if (scroller) scroller.scrollTop = top;
    lastScrollTop.current = top;
    setScrollTop(top);
  }, []);

  return { scrollerRef, range: windowRange({ scrollTop, viewportHeight, rowHeight, rowCount, overscan }), viewportHeight, onScroll, scrollTo };
}
