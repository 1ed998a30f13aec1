import { beforeEach, describe, expect, it, vi } from 'vitest';
import { BrowserWindow, ipcMain, resetElectronMock } from '../../mocks/electron';
import { channelFor, operations, type Operation } from '../../../src/shared/api';
import { ok } from '../../../src/shared/result';
import type { Handlers } from '../../../src/main/ipc/handlers';

vi.mock('electron', () => import('../../mocks/electron'));

const { registerIpc } = await import('../../../src/main/ipc/registerIpc');

const appUrl = 'file:///opt/replica-desk/out/renderer/index.html';

// Stand-ins for the core's operation table: these tests are about routing and the guard.
function recordingHandlers(): { handlers: Handlers; calls: { op: Operation; request: unknown }[] } {
  const calls: { op: Operation; request: unknown }[] = [];
  const handlers = Object.fromEntries(
    operations.map((op) => [op, async (request: unknown) => (calls.push({ op, request }), ok({ handledBy: op }))]),
  ) as unknown as Handlers;
  return { handlers, calls };
}

let main: BrowserWindow;
let warnings: { message: string; fields?: Record<string, unknown> }[];
let calls: { op: Operation; request: unknown }[];
let unregister: () => void;

beforeEach(async () => {
  resetElectronMock();
  main = new BrowserWindow();
  await main.loadURL(appUrl);
  warnings = [];
  const recorded = recordingHandlers();
  calls = recorded.calls;
  unregister = registerIpc({
    handlers: recorded.handlers,
    mainWindow: () => main as never,
    appEntryUrl: appUrl,
    log: { warn: (message, fields) => void warnings.push({ message, fields }) },
  });
});

const fromMain = () => ({ sender: main.webContents, senderFrame: main.webContents.mainFrame });

describe('registerIpc', () => {
  it('registers one distinct named channel per operation and nothing else', () => {
    const channels = operations.map(channelFor);
    expect(new Set(channels).size).toBe(operations.length);
    expect([...ipcMain.handlers.keys()].sort()).toEqual([...channels].sort());
  });

  it('passes a trusted request to the handler of its operation', async () => {
    for (const op of operations) {
      const request = { probe: op };
      await expect(ipcMain.invoke(channelFor(op), fromMain(), request)).resolves.toEqual(ok({ handledBy: op }));
    }
    expect(calls).toEqual(operations.map((op) => ({ op, request: { probe: op } })));
    expect(warnings).toEqual([]);
  });

  it.each([
    ['another window', async () => {
      const other = new BrowserWindow();
      await other.loadURL(appUrl);
      return { sender: other.webContents, senderFrame: other.webContents.mainFrame };
    }],
    ['a subframe', async () => ({ sender: main.webContents, senderFrame: main.webContents.mainFrame.addChild(appUrl) })],
    ['a foreign page', async () => {
      await main.loadURL('https://example.com/');
      return fromMain();
    }],
  ])('refuses %s with untrusted-sender, logs it and runs nothing', async (_name, makeEvent) => {
    const answer = (await ipcMain.invoke(channelFor('listInstallations'), await makeEvent(), {})) as {
      ok: boolean;
      error: { code: string; message: string; hint: string };
    };
    expect(answer.ok).toBe(false);
    expect(answer.error.code).toBe('untrusted-sender');
    expect(answer.error.hint).not.toBe('');
    expect(calls).toEqual([]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.fields).toMatchObject({ channel: channelFor('listInstallations') });
  });

  it('unregisters every channel, so the app can register again', () => {
    unregister();
    expect(ipcMain.handlers.size).toBe(0);
    expect(() => registerIpc({ handlers: recordingHandlers().handlers, mainWindow: () => null, appEntryUrl: appUrl, log: { warn: () => {} } })).not.toThrow();
  });
});
