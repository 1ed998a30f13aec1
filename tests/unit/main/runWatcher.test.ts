import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('../../mocks/electron'));

import { BrowserWindow, dialog, Notification, resetElectronMock } from '../../mocks/electron';
import { guardCloseDuringRuns, notifyRunEnd } from '../../../src/main/runWatcher';
import type { RestoreSessions } from '../../../src/main/core/restore/restoreSessions';

function fakeSessions(active: string[]) {
  const state = { active: [...active], cancelled: 0 };
  const sessions = {
    activeRuns: () => state.active,
    cancelAll: async () => {
      state.cancelled += 1;
      state.active = [];
    },
  } as unknown as RestoreSessions;
  return { sessions, state };
}

beforeEach(() => resetElectronMock());

describe('guardCloseDuringRuns', () => {
  it('closes at once when no run is going on', () => {
    const window = new BrowserWindow();
    guardCloseDuringRuns(window as never, fakeSessions([]).sessions);
    window.close();
    expect(window.isDestroyed()).toBe(true);
    expect(dialog.messageBoxes).toHaveLength(0);
  });

  it('asks first during a run, and keeps the window when the admin says so', () => {
    const window = new BrowserWindow();
    const { sessions, state } = fakeSessions(['run-1']);
    guardCloseDuringRuns(window as never, sessions);
    dialog.nextMessageBoxAnswer = 0;
    window.close();
    expect(dialog.messageBoxes).toHaveLength(1);
    expect(window.isDestroyed()).toBe(false);
    expect(state.cancelled).toBe(0);
  });

  it('cancels the runs, waits for them, then closes when the admin chooses to', async () => {
    const window = new BrowserWindow();
    const { sessions, state } = fakeSessions(['run-1']);
    guardCloseDuringRuns(window as never, sessions);
    dialog.nextMessageBoxAnswer = 1;
    window.close();
    expect(window.isDestroyed()).toBe(false);
    await vi.waitFor(() => expect(window.isDestroyed()).toBe(true));
    expect(state.cancelled).toBe(1);
  });
});

describe('notifyRunEnd', () => {
  it('notifies when a run ends, not while it runs', () => {
    notifyRunEnd({ type: 'run', runId: 'r1', status: 'running', message: null });
    notifyRunEnd({ type: 'step', runId: 'r1', seq: 1, id: 'x', replica: null, title: 't', status: 'done', message: null });
    notifyRunEnd({ type: 'run', runId: 'r1', status: 'failed', message: 'rls1: boom' });
    expect(Notification.shown).toEqual([{ title: 'Restore failed', body: 'rls1: boom' }]);
  });
});
