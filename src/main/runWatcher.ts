// Desktop behaviour around restore runs: a notification when a run ends, and a question
// before the window closes while a run is going on (closing cancels it, and compensation
// runs before the app goes away).
import { dialog, Notification, type BrowserWindow } from 'electron';
import type { RestoreEvent } from '../shared/restoreEvents';
import type { RestoreSessions } from './core/restore/restoreSessions';

export function notifyRunEnd(event: RestoreEvent): void {
  if (event.type !== 'run' || event.status === 'running' || !Notification.isSupported()) return;
  const title = event.status === 'succeeded' ? 'Restore succeeded' : event.status === 'cancelled' ? 'Restore cancelled' : 'Restore failed';
  new Notification({ title, body: event.message ?? `Run ${event.runId}` }).show();
}

/** Makes closing the window during a run ask first; returns the handler it installed. */
export function guardCloseDuringRuns(window: BrowserWindow, sessions: RestoreSessions): void {
  let closingAfterCancel = false;
  window.on('close', (event) => {
    if (closingAfterCancel || sessions.activeRuns().length === 0) return;
    event.preventDefault();
    const choice = dialog.showMessageBoxSync(window, {
      type: 'warning',
      buttons: ['Keep running', 'Cancel the restore and close'],
      defaultId: 0,
      cancelId: 0,
      title: 'A restore is running',
      message: `${sessions.activeRuns().length} restore run(s) are still going on.`,
      detail: 'Closing cancels them: child processes are stopped and replicas that were stopped but not yet dropped are started again. A replica whose schema is already gone stays stopped until you resume the run.',
    });
    if (choice !== 1) return;
    void sessions.cancelAll().finally(() => {
      closingAfterCancel = true;
      if (!window.isDestroyed()) window.close();
    });
  });
}
