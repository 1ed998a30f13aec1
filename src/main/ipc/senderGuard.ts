// Who may call main. Every IPC request must come from our main window's top frame while it
// shows our own page: a subframe, another window or a page the window was navigated to must
// not reach the core (compare vscode's ipcMain.ts and electron-fiddle's ipc.ts).
import type { BrowserWindow, IpcMainInvokeEvent } from 'electron';
import { isAppUrl } from '../window';

export type IpcSenderEvent = Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>;

export function isTrustedSender(event: IpcSenderEvent, mainWindow: BrowserWindow | null, appEntryUrl: string): boolean {
  if (!mainWindow || mainWindow.isDestroyed()) return false;
  const contents = mainWindow.webContents;
  if (event.sender !== contents) return false;
  // senderFrame is null once the frame has navigated away or been destroyed.
  const frame = event.senderFrame;
  if (!frame || frame.parent !== null) return false;
  // WebFrameMain wrappers are compared by identity fields, not by object identity.
  const top = contents.mainFrame;
  if (frame.processId !== top.processId || frame.frameToken !== top.frameToken) return false;
  return isAppUrl(frame.url, appEntryUrl);
}
