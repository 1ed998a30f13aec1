// Closing the window while the sandbox is being built or removed: the job is cancelled and
// the window closes once it has stopped (its child processes gone, what it made recorded for
// the next up or down), so the core never closes under a running build.
import type { BrowserWindow } from 'electron';
import type { SandboxJobs } from './ipc/sandboxJobs';

export function guardCloseDuringSandboxJob(window: BrowserWindow, jobs: SandboxJobs): void {
  let closingAfterCancel = false;
  window.on('close', (event) => {
    if (closingAfterCancel || !jobs.current()) return;
    event.preventDefault();
    jobs.cancel();
    void jobs.idle().finally(() => {
      closingAfterCancel = true;
      if (!window.isDestroyed()) window.close();
    });
  });
}
