// The app's lifecycle against the electron mock, with the real core behind it: a first
// instance opens the core, registers IPC, builds the menu and opens the window; a second
// instance quits; quitting unregisters IPC.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { channelFor, operations } from '../../../src/shared/api';

vi.mock('electron', () => import('../../mocks/electron'));

let home: string;
const savedHome = process.env.REPLICA_DESK_HOME;

type ElectronMock = typeof import('../../mocks/electron');
// Through 'electron', so the test sees the very instance the app modules were given.
const electronMock = async (): Promise<ElectronMock> => (await import('electron')) as unknown as ElectronMock;

async function startApp(configure: (electron: ElectronMock) => void = () => {}) {
  // index.ts does its work on import; a fresh module registry runs it again.
  vi.resetModules();
  const electron = await electronMock();
  electron.resetElectronMock();
  configure(electron);
  await import('../../../src/main/index');
  await electron.app.whenReady();
  // The ready handler runs in a then() after whenReady resolves.
  await new Promise((resolve) => setImmediate(resolve));
  return electron;
}

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'replica-desk-app-'));
  process.env.REPLICA_DESK_HOME = home;
});

afterEach(async () => {
  const electron = await electronMock();
  electron.app.emit('will-quit');
  if (savedHome === undefined) delete process.env.REPLICA_DESK_HOME;
  else process.env.REPLICA_DESK_HOME = savedHome;
  rmSync(home, { recursive: true, force: true });
});

describe('the app lifecycle', () => {
  it('opens the core in REPLICA_DESK_HOME, registers every operation, sets the menu and opens the window', async () => {
    const { app, BrowserWindow, ipcMain, Menu } = await startApp();
    expect(app.name).toBe('Replica Desk');
    expect(existsSync(join(home, 'replica-desk.sqlite'))).toBe(true);
    expect([...ipcMain.handlers.keys()].sort()).toEqual(operations.map(channelFor).sort());
    expect(Menu.applicationMenu?.template.length).toBeGreaterThan(0);
    expect(BrowserWindow.instances).toHaveLength(1);

    const window = BrowserWindow.instances[0]!;
    const event = { sender: window.webContents, senderFrame: window.webContents.mainFrame };
    await expect(ipcMain.invoke(channelFor('listInstallations'), event, {})).resolves.toEqual({ ok: true, value: [] });
  });

  it('unregisters IPC on quit, and quits when the last window closes (except on macOS)', async () => {
    const { app, BrowserWindow, ipcMain } = await startApp();
    BrowserWindow.instances[0]!.destroy();
    app.emit('window-all-closed');
    expect(app.quitCalls).toBe(process.platform === 'darwin' ? 0 : 1);
    app.emit('will-quit');
    expect(ipcMain.handlers.size).toBe(0);
  });

  it('in a packaged app, ignores the development-only renderer URL and native binding override', async () => {
    const saved = { url: process.env.ELECTRON_RENDERER_URL, binding: process.env.REPLICA_DESK_SQLITE_BINDING };
    process.env.ELECTRON_RENDERER_URL = 'http://127.0.0.1:9/evil.html';
    // A binding that cannot load: honoured, the core could not open and the app would exit 1.
    process.env.REPLICA_DESK_SQLITE_BINDING = join(home, 'evil.node');
    try {
      const packaged = await startApp((electron) => {
        electron.app.isPackaged = true;
      });
      expect(packaged.app.exitCodes).toEqual([]);
      expect(existsSync(join(home, 'replica-desk.sqlite'))).toBe(true);
      const loaded = packaged.BrowserWindow.instances[0]!.loadedUrls;
      expect(loaded).toHaveLength(1);
      expect(loaded[0]).toMatch(/^file:\/\/.*index\.html$/);
      packaged.app.emit('will-quit');

      // A checkout (not packaged) still honours both, as electron-vite dev and npm start need.
      const dev = await startApp();
      expect(dev.app.exitCodes).toEqual([1]);
      expect(dev.dialog.errorBoxes[0]!.content).toContain('evil.node');
    } finally {
      if (saved.url === undefined) delete process.env.ELECTRON_RENDERER_URL;
      else process.env.ELECTRON_RENDERER_URL = saved.url;
      if (saved.binding === undefined) delete process.env.REPLICA_DESK_SQLITE_BINDING;
      else process.env.REPLICA_DESK_SQLITE_BINDING = saved.binding;
    }
  });

  it('quits at once as a second instance, touching nothing', async () => {
    const { app, BrowserWindow, ipcMain } = await startApp((electron) => {
      electron.app.singleInstanceLockAvailable = false;
    });
    expect(app.quitCalls).toBe(1);
    expect(BrowserWindow.instances).toHaveLength(0);
    expect(ipcMain.handlers.size).toBe(0);
    expect(existsSync(join(home, 'replica-desk.sqlite'))).toBe(false);
  });

  it('shows why it cannot start when the data directory is unusable, and exits 1', async () => {
    const blocked = join(home, 'not-a-directory');
    writeFileSync(blocked, '');
    process.env.REPLICA_DESK_HOME = blocked;
    const { app, BrowserWindow, dialog } = await startApp();
    expect(app.exitCodes).toEqual([1]);
    expect(dialog.errorBoxes).toHaveLength(1);
    expect(dialog.errorBoxes[0]!.title).toBe('Replica Desk could not start');
    expect(BrowserWindow.instances).toHaveLength(0);
  });
});
