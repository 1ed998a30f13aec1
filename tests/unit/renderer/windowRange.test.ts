import { describe, expect, it } from 'vitest';
import { rowAfterKey, scrollTopToReveal, windowRange } from '../../../src/renderer/src/history/windowRange';

describe('windowRange', () => {
  const base = { rowHeight: 56, rowCount: 10_000, viewportHeight: 560, overscan: 5 };

  it('renders the rows in view plus the overscan, not the whole list', () => {
    const top = windowRange({ ...base, scrollTop: 0 });
    expect(top).toEqual({ start: 0, end: 15, offset: 0, totalHeight: 560_000 });
    const middle = windowRange({ ...base, scrollTop: 56 * 5000 + 20 });
    expect(middle.start).toBe(4995);
    expect(middle.end).toBe(5016);
    expect(middle.offset).toBe(4995 * 56);
    expect(middle.end - middle.start).toBeLessThan(30);
  });

  it('stops at the end of the list, however far the offset goes', () => {
    const end = windowRange({ ...base, scrollTop: 10_000_000 });
    expect(end.end).toBe(10_000);
    expect(end.start).toBe(10_000 - 10 - 5);
  });

  it('handles short lists, empty lists and a negative offset (elastic scrolling)', () => {
    expect(windowRange({ ...base, rowCount: 3, scrollTop: 0 })).toEqual({ start: 0, end: 3, offset: 0, totalHeight: 168 });
    expect(windowRange({ ...base, rowCount: 0, scrollTop: 0 })).toEqual({ start: 0, end: 0, offset: 0, totalHeight: 0 });
    expect(windowRange({ ...base, scrollTop: -300 }).start).toBe(0);
  });

  it('always renders at least one row while the viewport is not measured', () => {
    expect(windowRange({ ...base, viewportHeight: 0, overscan: 0, scrollTop: 560 })).toMatchObject({ start: 10, end: 11 });
  });
});

describe('keyboard movement in a windowed list', () => {
  it('moves by one, by a page and to either end, clamped to the list', () => {
    expect(rowAfterKey('ArrowDown', 0, 100, 9)).toBe(1);
    expect(rowAfterKey('ArrowUp', 0, 100, 9)).toBe(0);
    expect(rowAfterKey('PageDown', 95, 100, 9)).toBe(99);
    expect(rowAfterKey('PageUp', 20, 100, 9)).toBe(11);
    expect(rowAfterKey('End', 3, 100, 9)).toBe(99);
    expect(rowAfterKey('Home', 50, 100, 9)).toBe(0);
    expect(rowAfterKey('Enter', 3, 100, 9)).toBeNull();
    expect(rowAfterKey('ArrowDown', 0, 0, 9)).toBeNull();
  });

  it('scrolls only as far as needed to reveal a row', () => {
    expect(scrollTopToReveal(5, 56, 560, 0)).toBe(0);
    expect(scrollTopToReveal(10, 56, 560, 0)).toBe(56);
    expect(scrollTopToReveal(3, 56, 560, 560)).toBe(168);
  });
});
