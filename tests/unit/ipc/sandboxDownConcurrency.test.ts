// Remove sandbox while main's confirmation dialog is open: a second Remove (a double click, a
// second window, a compromised renderer) or a Try the sandbox is refused as busy, so the admin
// is never asked twice and one down runs; once the dialog is answered, jobs run again.
import { describe, expect, it } from 'vitest';
import { sandboxDownInMain } from '../../../src/main/ipc/sandboxDown';
import { SandboxBusyError, SandboxJobs } from '../../../src/main/ipc/sandboxJobs';
import type { SandboxService } from '../../../src/main/core/sandbox/sandboxService';
import type { SandboxDownReport, SandboxStatus } from '../../../src/shared/sandbox';

const status = { exists: true, installation: 'sandbox', dir: '/tmp/sb', createdAt: '2026-12-02T13:00:00.000Z', sizeMb: 50, clusters: [], servers: [], problems: [] } as SandboxStatus;
const report = { removed: ['everything'], keptRuns: 0, existed: true } as SandboxDownReport;

function setUp() {
  const calls = { down: 0, up: 0, asked: 0 };
  const service = {
    status: async () => status,
    down: async () => {
      calls.down += 1;
      return report;
    },
    up: async () => {
      calls.up += 1;
      return status;
    },
  } as unknown as SandboxService;
  const jobs = new SandboxJobs(() => service, () => undefined);
  const core = { sandbox: service, restore: { record: () => ({ installation: 'prod' }) } } as never;
  const sessions = { activeRuns: () => [] };
  let answer: (yes: boolean) => void = () => undefined;
  const confirm = () => {
    calls.asked += 1;
    return new Promise<boolean>((resolve) => (answer = resolve));
  };
  return { calls, jobs, down: () => sandboxDownInMain(core, jobs, sessions, confirm), answer: (yes: boolean) => answer(yes) };
}

const dialogOpen = async (calls: { asked: number }) => {
  for (let i = 0; i < 50 && calls.asked === 0; i += 1) await new Promise((r) => setTimeout(r, 1));
  expect(calls.asked).toBe(1);
};

describe('Remove sandbox while its dialog is open', () => {
  it('refuses a second Remove and a Try, asks once and removes once', async () => {
    const t = setUp();
    const first = t.down();
    await dialogOpen(t.calls);
    await expect(t.down()).rejects.toThrow(SandboxBusyError);
    await expect(t.down()).rejects.toThrow(/being confirmed already/);
    await expect(t.jobs.up(50)).rejects.toThrow(SandboxBusyError);
    t.answer(true);
    expect(await first).toEqual({ confirmed: true, report });
    expect(t.calls).toEqual({ down: 1, up: 0, asked: 1 });
  });

  it('frees the jobs once the admin declines', async () => {
    const t = setUp();
    const first = t.down();
    await dialogOpen(t.calls);
    t.answer(false);
    expect(await first).toEqual({ confirmed: false, report: null });
    expect(await t.jobs.up(50)).toBe(status);
    expect(t.calls).toEqual({ down: 0, up: 1, asked: 1 });
  });
});
