// Events reach the window masked exactly as the run record is stored: maskSecrets on every
// text field, on every path — the runner's events and the sessions' own (questions, crashes).
import { describe, expect, it } from 'vitest';
import type { RestoreEvent } from '../../../src/shared/restoreEvents';
import { maskRestoreEvent } from '../../../src/main/core/restore/restoreEventMask';
import { RestoreSessions } from '../../../src/main/core/restore/restoreSessions';
import type { RestoreService } from '../../../src/main/core/restore/restoreService';
import { MASK, Secret, maskSecrets } from '../../../src/main/core/secrets/secret';
import { createLogger } from '../../../src/main/core/logging/logger';

const password = new Secret('pw-for-event-mask-7f3a').reveal();

describe('maskRestoreEvent', () => {
  const events: RestoreEvent[] = [
    { type: 'run', runId: 'r', status: 'failed', message: `psql: password ${password} rejected` },
    { type: 'step', runId: 'r', seq: 1, id: 'stop', replica: 'rls1', title: `stop with ${password}`, status: 'failed', message: `exit 1: ${password}` },
    { type: 'log', runId: 'r', level: 'error', message: `stderr: ${password}` },
    { type: 'confirm', runId: 'r', requestId: 'q', instruction: `run "start --pw ${password}" by hand` },
  ];

  it.each(events.map((e) => [e.type, e] as const))('masks every text of a %s event as the store does', (_type, event) => {
    const masked = maskRestoreEvent(event);
    expect(JSON.stringify(masked)).not.toContain(password);
    for (const [key, value] of Object.entries(event)) {
      const out = (masked as Record<string, unknown>)[key];
      expect(out).toEqual(typeof value === 'string' ? maskSecrets(value) : value);
    }
    expect(JSON.stringify(masked)).toContain(MASK);
  });

  it('leaves progress and null messages as they are', () => {
    const progress: RestoreEvent = { type: 'progress', runId: 'r', seq: 2, replica: null, phase: 'dump', bytes: 5, bytesTotal: null, tablesDone: 1, tablesTotal: 3 };
    expect(maskRestoreEvent(progress)).toEqual(progress);
    expect(maskRestoreEvent({ type: 'run', runId: 'r', status: 'running', message: null })).toEqual({ type: 'run', runId: 'r', status: 'running', message: null });
  });
});

describe('RestoreSessions', () => {
  it('masks what it emits itself: the runner’s events, a question, and a crashed run', async () => {
    const emitted: RestoreEvent[] = [];
    // Only the two calls resume() makes; the run "executes" by emitting, asking, then crashing.
    const service = {
      claimForResume: () => undefined,
      execute: async (runId: string, options: { onEvent: (e: RestoreEvent) => void; confirm: (instruction: string) => Promise<boolean> }) => {
        options.onEvent({ type: 'log', runId, level: 'info', message: `connected with ${password}` });
        void options.confirm(`type ${password}`);
        throw new Error(`crashed near ${password}`);
      },
    } as unknown as RestoreService;
    const sessions = new RestoreSessions(service, (e) => emitted.push(e), createLogger(null));
    sessions.resume('run-1');
    await sessions.idle();
    expect(emitted.map((e) => e.type)).toEqual(['log', 'confirm', 'run']);
    expect(JSON.stringify(emitted)).not.toContain(password);
    expect(emitted[2]).toMatchObject({ type: 'run', status: 'failed', message: `crashed near ${MASK}` });
  });
});
