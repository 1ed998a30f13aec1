// printJsonList writes a long list a batch at a time; its text must be printJson's, byte for
// byte, whatever the batch size, list length or place of the list in the object.
import { describe, expect, it } from 'vitest';
import { printJson, printJsonList, type Output } from '../../../src/cli/output';

function captured(write: (out: Output) => void): { text: string; writes: number } {
  let text = '';
  let writes = 0;
  write({ json: true, stdout: (t) => ((text += t), writes++), stderr: () => undefined });
  return { text, writes };
}

const item = (i: number) => ({ runId: `run-${i}`, nested: { list: [i, { deep: 'a\nb "quoted"' }], empty: [], none: null }, skipped: undefined });

describe('printJsonList', () => {
  it('writes printJson’s exact text for any list length and batch size', () => {
    for (const length of [0, 1, 2, 5, 7]) {
      for (const batch of [1, 2, 3, 500]) {
        const value = { runs: Array.from({ length }, (_, i) => item(i)), total: 12, offset: 3, truncated: true };
        expect(captured((out) => printJsonList(out, value, 'runs', batch)).text).toBe(captured((out) => printJson(out, value)).text);
      }
    }
  });

  it('keeps the list where it stands among the other fields', () => {
    const value = { total: 2, runs: [item(1), item(2)], truncated: false };
    expect(captured((out) => printJsonList(out, value, 'runs', 1)).text).toBe(captured((out) => printJson(out, value)).text);
  });

  it('never writes the whole list at once', () => {
    const value = { runs: Array.from({ length: 10 }, (_, i) => item(i)) };
    expect(captured((out) => printJsonList(out, value, 'runs', 3)).writes).toBe(6);
  });
});
