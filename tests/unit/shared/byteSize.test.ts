// The one byte formatter (CLI, preflight, dialogs and renderer): decimal units, one decimal
// below 10, no "1000 kB" from rounding.
import { describe, expect, it } from 'vitest';
import { formatByteSize } from '../../../src/shared/byteSize';

describe('formatByteSize', () => {
  it('counts bytes below 1 kB as they are', () => {
    expect(formatByteSize(0)).toBe('0 B');
    expect(formatByteSize(512)).toBe('512 B');
    expect(formatByteSize(999)).toBe('999 B');
  });

  it('uses decimal units, one decimal below 10', () => {
    expect(formatByteSize(1000)).toBe('1.0 kB');
    expect(formatByteSize(2_345_678)).toBe('2.3 MB');
    expect(formatByteSize(48_200_000)).toBe('48 MB');
    expect(formatByteSize(340_000_000)).toBe('340 MB');
    expect(formatByteSize(1_842_113_024)).toBe('1.8 GB');
    expect(formatByteSize(3.2e12)).toBe('3.2 TB');
  });

  it('steps up a unit when rounding reaches 1000', () => {
    expect(formatByteSize(999_400)).toBe('999 kB');
    expect(formatByteSize(999_950)).toBe('1.0 MB');
    expect(formatByteSize(999_600_000)).toBe('1.0 GB');
  });

  it('keeps a sign and says what a non-number is', () => {
    expect(formatByteSize(-2_500_000)).toBe('-2.5 MB');
    expect(formatByteSize(Number.NaN)).toBe('NaN B');
  });
});
