// The Electron app's lifecycle: one instance, one core, one main window. Everything the
// app does happens in the core; this file only wires it to Electron.
import { app, BrowserWindow, dialog, Menu } from 'electron';
import { appEnvironment } from './appEnvironment';
import { openReplicaDesk, type ReplicaDesk } from './core/replicaDesk';
import { toErrorPayload } from './core/errors';
import { createHandlers } from './ipc/handlers';
import { nativeConfirm } from './nativeConfirm';
import { RESTORE_EVENT_CHANNEL, SANDBOX_EVENT_CHANNEL } from '../shared/operations';
import { RestoreSessions } from './core/restore/restoreSessions';
import { guardCloseDuringRuns, notifyRunEnd } from './runWatcher';
import { guardCloseDuringSandboxJob } from './sandboxWatcher';
import { registerIpc } from './ipc/registerIpc';
import { SandboxJobs } from './ipc/sandboxJobs';
import { buildApplicationMenu } from './menu';
import { createMainWindow, mainWindowPaths } from './window';

// Same as package.json's productName, which also names the userData directory.
const APP_NAME = 'Replica Desk';

app.setName(APP_NAME);

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  run();
}

function run(): void {
  const environment = appEnvironment(process.env, app.isPackaged);
  const paths = mainWindowPaths(__dirname, environment.rendererUrl);
  let core: ReplicaDesk | null = null;
  let mainWindow: BrowserWindow | null = null;
  let unregisterIpc = (): void => {};
  let sessions: RestoreSessions | null = null;
  let sandboxJobs: SandboxJobs | null = null;

  const openMainWindow = (): void => {
    const window = createMainWindow(paths);
    if (sessions) guardCloseDuringRuns(window, sessions);
    if (sandboxJobs) guardCloseDuringSandboxJob(window, sandboxJobs);
    window.on('closed', () => {
      if (mainWindow === window) mainWindow = null;
    });
    mainWindow = window;
  };

  app.on('second-instance', () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  app.on('will-quit', () => {
    unregisterIpc();
    core?.close();
    core = null;
  });

  app
    .whenReady()
    .then(() => {
      const opened = openReplicaDesk({
        home: environment.home ?? app.getPath('userData'),
        ...(environment.sqliteNativeBinding ? { sqliteNativeBinding: environment.sqliteNativeBinding } : {}),
      });
      core = opened;
      sessions = new RestoreSessions(opened.restore, (event) => {
        notifyRunEnd(event);
        // Only the app's own window hears restore events.
        if (mainWindow && !mainWindow.isDestroyed()) mainWindow.webContents.send(RESTORE_EVENT_CHANNEL, event);
      }, opened.log);
      sandboxJobs = new SandboxJobs(() => opened.sandbox, (event) => {
        if (mainWindow && !mainWindow.isDestroyed()) mainWindow.webContents.send(SANDBOX_EVENT_CHANNEL, event);
      });
      unregisterIpc = registerIpc({
        handlers: createHandlers(opened, { sessions, sandboxJobs, confirmInMain: nativeConfirm(() => mainWindow) }),
        mainWindow: () => mainWindow,
        appEntryUrl: paths.appEntryUrl,
        log: opened.log,
      });
      Menu.setApplicationMenu(buildApplicationMenu({ appName: APP_NAME, platform: process.platform, isPackaged: app.isPackaged }));
      openMainWindow();
      app.on('activate', () => {
        if (BrowserWindow.getAllWindows().length === 0) openMainWindow();
      });
    })
    .catch((e: unknown) => {
      // Typically the data directory: unwritable, or a database from a newer Replica Desk.
      const { message, hint } = toErrorPayload(e);
      console.error(`${APP_NAME} could not start: ${message}\n${hint}`);
      dialog.showErrorBox(`${APP_NAME} could not start`, `${message}\n\n${hint}`);
      app.exit(1);
    });
}
