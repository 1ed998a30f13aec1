// The main window and the guards around it. The renderer shows data from production
// databases and holds no secrets of its own, but it can ask main to act on them, so it must
// only ever run our own page: no navigation away, no new windows, no webviews, no
// permissions, and a strict CSP.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BrowserWindow, type Session, type WebContents } from 'electron';
import { CONTENT_SECURITY_POLICY } from './contentSecurityPolicy';

export interface MainWindowPaths {
  /** The built preload script (out/preload/index.js). */
  preload: string;
  /** The page the window shows: out/renderer/index.html as a file URL, or the dev server. */
  appEntryUrl: string;
  /** Window icon; used on Linux, where the window manager has no bundle icon. */
  icon?: string;
}

/**
 * Where the built app lives, seen from the main bundle's directory (out/main).
 * `rendererUrl` is ELECTRON_RENDERER_URL, which `electron-vite dev` sets to its dev server.
 */
export function mainWindowPaths(mainDir: string, rendererUrl?: string): MainWindowPaths {
  return {
    preload: join(mainDir, '../preload/index.js'),
    appEntryUrl: rendererUrl || pathToFileURL(join(mainDir, '../renderer/index.html')).href,
    icon: join(mainDir, '../../resources/icon.png'),
  };
}

/**
 * Whether `url` is the app's own page. For file:// the very same file (any hash or query,
 * which a client-side router may use); for the dev server its origin.
 */
export function isAppUrl(url: string, appEntryUrl: string): boolean {
  let target: URL;
  let entry: URL;
  try {
    target = new URL(url);
    entry = new URL(appEntryUrl);
  } catch {
    return false;
  }
  if (target.protocol !== entry.protocol) return false;
  if (entry.protocol === 'file:') return target.host === entry.host && target.pathname === entry.pathname;
  if (entry.protocol === 'http:' || entry.protocol === 'https:') return target.origin === entry.origin;
  return false;
}

export function createMainWindow(paths: MainWindowPaths): BrowserWindow {
  const window = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 900,
    minHeight: 600,
    title: 'Replica Desk',
    show: false,
    ...(process.platform === 'linux' && paths.icon ? { icon: paths.icon } : {}),
    webPreferences: {
      preload: paths.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    },
  });
  hardenSession(window.webContents.session);
  hardenWebContents(window.webContents, paths.appEntryUrl);
  window.once('ready-to-show', () => window.show());
  void window.loadURL(paths.appEntryUrl);
  return window;
}

/** Keeps the window on the app's own page and refuses anything that would open another. */
export function hardenWebContents(contents: WebContents, appEntryUrl: string): void {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  // Electron passes the target both on the event and, deprecated, as the second argument.
  const stayOnAppPage = (event: { preventDefault(): void; url?: string }, url: string): void => {
    if (!isAppUrl(event.url ?? url, appEntryUrl)) event.preventDefault();
  };
  contents.on('will-navigate', stayOnAppPage);
  contents.on('will-redirect', stayOnAppPage);
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

// A session is shared by every window on it; hooks are installed once per session.
const hardenedSessions = new WeakSet<Session>();

export function hardenSession(session: Session): void {
  if (hardenedSessions.has(session)) return;
  hardenedSessions.add(session);
  session.webRequest.onHeadersReceived((details, callback) => {
    const responseHeaders = Object.fromEntries(
      Object.entries(details.responseHeaders ?? {}).filter(([name]) => name.toLowerCase() !== 'content-security-policy'),
    );
    callback({ responseHeaders: { ...responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}
