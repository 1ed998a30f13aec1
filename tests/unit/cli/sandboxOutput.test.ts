// What `sandbox up|down` print as they go: one line per phase event in the agreed form
// ("[3/8] master: generating the content-server database… 20/50 MB"), MB counts at most
// once a second within a phase but always the last one, repeated lines once.
import { describe, expect, it } from 'vitest';
import { sandboxProgressPrinter } from '../../../src/cli/sandboxOutput';
import type { SandboxProgress } from '../../../src/shared/sandbox';

describe('sandboxProgressPrinter', () => {
  it('prints each phase, throttles MB counts within a phase, and never drops the last one', () => {
    const lines: string[] = [];
    let now = 0;
    const print = sandboxProgressPrinter((t) => lines.push(t), () => now);
    const master = (doneMb: number): SandboxProgress => ({ action: 'up', phase: 'master', index: 3, count: 8, message: 'generating the content-server database…', doneMb, totalMb: 50 });
    print({ action: 'up', phase: 'clusters', index: 2, count: 8, message: 'clusters a and b running', reused: true });
    print({ action: 'up', phase: 'clusters', index: 2, count: 8, message: 'clusters a and b running', reused: true });
    print(master(0));
    now = 400;
    print(master(10));
    now = 1200;
    print(master(20.4));
    now = 1300;
    print(master(50));
    expect(lines).toEqual([
      '[2/8] clusters: clusters a and b running (reused)\n',
      '[3/8] master: generating the content-server database… 0/50 MB\n',
      '[3/8] master: generating the content-server database… 20/50 MB\n',
      '[3/8] master: generating the content-server database… 50/50 MB\n',
    ]);
  });

  it('adds no MB count to a message that states one', () => {
    const lines: string[] = [];
    sandboxProgressPrinter((t) => lines.push(t))({ action: 'up', phase: 'master', index: 3, count: 8, message: 'generating: 4 of 5 MB', doneMb: 4, totalMb: 5 });
    expect(lines).toEqual(['[3/8] master: generating: 4 of 5 MB\n']);
  });
});
