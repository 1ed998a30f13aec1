import { describe, expect, it } from 'vitest';
import { formatCount } from '../../../src/renderer/src/history/formatCount';

describe('formatCount', () => {
  it('groups digits as en-US does', () => {
    for (const n of [0, 7, 999, 1000, 10_000, 123_456, 1_000_000, 9_876_543_210, -1, -1234, -1_000_000]) {
      expect(formatCount(n)).toBe(n.toLocaleString('en-US'));
    }
  });

  it('leaves a number that is not a whole one as it is', () => {
    expect(formatCount(1.5)).toBe('1.5');
    expect(formatCount(Number.NaN)).toBe('NaN');
  });
});
