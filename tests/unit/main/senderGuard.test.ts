import { beforeEach, describe, expect, it, vi } from 'vitest';
import { BrowserWindow, MockWebFrameMain, resetElectronMock } from '../../mocks/electron';

vi.mock('electron', () => import('../../mocks/electron'));

const { isTrustedSender } = await import('../../../src/main/ipc/senderGuard');

const appUrl = 'file:///opt/replica-desk/out/renderer/index.html';
type Window = Parameters<typeof isTrustedSender>[1];
type Event = Parameters<typeof isTrustedSender>[0];

async function openWindow(url = appUrl): Promise<BrowserWindow> {
  const window = new BrowserWindow();
  await window.loadURL(url);
  return window;
}

const eventFrom = (sender: unknown, senderFrame: unknown): Event => ({ sender, senderFrame }) as unknown as Event;
const trusted = (event: Event, window: BrowserWindow | null): boolean =>
  isTrustedSender(event, window as unknown as Window, appUrl);

beforeEach(() => resetElectronMock());

describe('isTrustedSender', () => {
  it("trusts the main window's top frame on the app's page", async () => {
    const main = await openWindow();
    expect(trusted(eventFrom(main.webContents, main.webContents.mainFrame), main)).toBe(true);
  });

  it('rejects another window, even one showing the app page', async () => {
    const main = await openWindow();
    const other = await openWindow();
    expect(trusted(eventFrom(other.webContents, other.webContents.mainFrame), main)).toBe(false);
    // A frame of the other window claimed as coming from the main window's contents.
    expect(trusted(eventFrom(main.webContents, other.webContents.mainFrame), main)).toBe(false);
  });

  it('rejects a subframe of the main window, whatever its URL', async () => {
    const main = await openWindow();
    const iframe = main.webContents.mainFrame.addChild(appUrl);
    expect(trusted(eventFrom(main.webContents, iframe), main)).toBe(false);
  });

  it('rejects a top-level frame that is not the main frame', async () => {
    const main = await openWindow();
    const stray = new MockWebFrameMain(appUrl, null, main.webContents.mainFrame.processId);
    expect(trusted(eventFrom(main.webContents, stray), main)).toBe(false);
  });

  it('rejects the main frame once it shows a foreign page', async () => {
    const main = await openWindow('https://example.com/');
    expect(trusted(eventFrom(main.webContents, main.webContents.mainFrame), main)).toBe(false);
    await main.loadURL('file:///tmp/evil.html');
    expect(trusted(eventFrom(main.webContents, main.webContents.mainFrame), main)).toBe(false);
  });

  it('rejects a sender whose frame is gone, and any sender when there is no live main window', async () => {
    const main = await openWindow();
    expect(trusted(eventFrom(main.webContents, null), main)).toBe(false);
    expect(trusted(eventFrom(main.webContents, main.webContents.mainFrame), null)).toBe(false);
    main.destroy();
    expect(trusted(eventFrom(main.webContents, main.webContents.mainFrame), main)).toBe(false);
  });
});
