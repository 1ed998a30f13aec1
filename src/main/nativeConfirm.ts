// Electron's ConfirmInMain: a native, modal message box owned by the main process, with
// Cancel as the default button, so the renderer can neither answer nor pre-empt it.
import { dialog, type BrowserWindow } from 'electron';
import type { ConfirmInMain } from './ipc/confirmInMain';

export function nativeConfirm(mainWindow: () => BrowserWindow | null): ConfirmInMain {
  return async (prompt) => {
    const options = {
      type: 'warning' as const,
      title: prompt.title,
      message: prompt.message,
      detail: prompt.detail,
      buttons: ['Cancel', prompt.confirmLabel],
      defaultId: 0,
      cancelId: 0,
      noLink: true,
    };
    const window = mainWindow();
    const { response } = window && !window.isDestroyed() ? await dialog.showMessageBox(window, options) : await dialog.showMessageBox(options);
    return response === 1;
  };
}
