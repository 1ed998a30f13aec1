// Electron's side of the operation table: one ipcMain.handle per operation, on the channel
// the shared contract names, each behind the sender guard.
import { ipcMain, type BrowserWindow } from 'electron';
import { channelFor, operations } from '../../shared/api';
import { fail } from '../../shared/result';
import type { Logger } from '../core/logging/logger';
import type { Handlers } from './handlers';
import { isTrustedSender } from './senderGuard';

export interface IpcRegistration {
  handlers: Handlers;
  /** The current main window; it changes when macOS re-creates it on `activate`. */
  mainWindow: () => BrowserWindow | null;
  appEntryUrl: string;
  log: Pick<Logger, 'warn'>;
}

/** Registers every operation's channel; the returned function removes them again. */
export function registerIpc({ handlers, mainWindow, appEntryUrl, log }: IpcRegistration): () => void {
  for (const op of operations) {
    const channel = channelFor(op);
    ipcMain.handle(channel, (event, request: unknown) => {
      if (!isTrustedSender(event, mainWindow(), appEntryUrl)) {
        log.warn('Refused an IPC request from an untrusted sender', { channel, url: event.senderFrame?.url ?? null });
        return fail({
          code: 'untrusted-sender',
          message: `The request for ${op} did not come from Replica Desk's own window and was refused.`,
          hint: 'Only the main window may call Replica Desk; nothing was run. Restart the app if this persists.',
        });
      }
      return handlers[op](request);
    });
  }
  return () => {
    for (const op of operations) ipcMain.removeHandler(channelFor(op));
  };
}
