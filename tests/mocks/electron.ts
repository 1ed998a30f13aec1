// A hand-written stand-in for the parts of 'electron' that our glue uses, in the manner of
// electron-fiddle's tests/mocks: the Electron binary cannot run on the build machines, so
// glue tests load this through `vi.mock('electron', () => import('../../mocks/electron'))`
// and inspect what the glue registered. It records; it does not imitate Chromium.
import { EventEmitter } from 'node:events';
import type { BrowserWindowConstructorOptions } from 'electron';

// Handlers are stored as registered and called back by tests with whatever Electron would pass.
type Listener = (...args: any[]) => unknown;

export class MockWebFrameMain {
  static nextToken = 1;
  readonly frameToken = `frame-${MockWebFrameMain.nextToken++}`;
  readonly frames: MockWebFrameMain[] = [];
  constructor(
    public url = '',
    readonly parent: MockWebFrameMain | null = null,
    readonly processId = 1,
  ) {
    parent?.frames.push(this);
  }

  /** A child frame (an iframe) of this frame. */
  addChild(url: string): MockWebFrameMain {
    return new MockWebFrameMain(url, this, this.processId);
  }
}

export class MockSession {
  headersReceivedListener: Listener | null = null;
  permissionRequestHandler: Listener | null = null;
  permissionCheckHandler: Listener | null = null;
  readonly webRequest = {
    onHeadersReceived: (listener: Listener): void => {
      this.headersReceivedListener = listener;
    },
  };
  setPermissionRequestHandler(handler: Listener | null): void {
    this.permissionRequestHandler = handler;
  }
  setPermissionCheckHandler(handler: Listener | null): void {
    this.permissionCheckHandler = handler;
  }
}

export class MockWebContents extends EventEmitter {
  static nextProcessId = 1;
  windowOpenHandler: Listener | null = null;
  readonly mainFrame: MockWebFrameMain;
  private destroyed = false;
  constructor(readonly session: MockSession) {
    super();
    this.mainFrame = new MockWebFrameMain('', null, MockWebContents.nextProcessId++);
  }
  setWindowOpenHandler(handler: Listener): void {
    this.windowOpenHandler = handler;
  }
  getURL(): string {
    return this.mainFrame.url;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  destroy(): void {
    this.destroyed = true;
  }
  /** Emits `name` with a preventable event; returns whether a listener prevented it. */
  emitPreventable(name: string, ...args: unknown[]): boolean {
    let prevented = false;
    // Like Electron's navigation events, which carry the target URL on the event too.
    const event = { preventDefault: () => void (prevented = true), ...(typeof args[0] === 'string' ? { url: args[0] } : {}) };
    this.emit(name, event, ...args);
    return prevented;
  }
}

export const session = { defaultSession: new MockSession() };

export class BrowserWindow extends EventEmitter {
  static instances: BrowserWindow[] = [];
  static getAllWindows(): BrowserWindow[] {
    return BrowserWindow.instances.filter((w) => !w.isDestroyed());
  }

  readonly webContents = new MockWebContents(session.defaultSession);
  readonly loadedUrls: string[] = [];
  private destroyed = false;
  constructor(readonly options: BrowserWindowConstructorOptions = {}) {
    super();
    BrowserWindow.instances.push(this);
  }
  async loadURL(url: string): Promise<void> {
    this.loadedUrls.push(url);
    this.webContents.mainFrame.url = url;
  }
  async loadFile(path: string): Promise<void> {
    await this.loadURL(`file://${path}`);
  }
  show(): void {}
  focus(): void {}
  restore(): void {}
  isMinimized(): boolean {
    return false;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  destroy(): void {
    this.destroyed = true;
    this.webContents.destroy();
    this.emit('closed');
  }
  /** Like Electron: 'close' listeners may preventDefault(); otherwise the window goes. */
  close(): void {
    const event = {
      defaultPrevented: false,
      preventDefault() {
        event.defaultPrevented = true;
      },
    };
    this.emit('close', event);
    if (!event.defaultPrevented) this.destroy();
  }
}

class MockIpcMain extends EventEmitter {
  readonly handlers = new Map<string, Listener>();
  handle(channel: string, handler: Listener): void {
    // Electron throws on a second handler for a channel; so does the mock, to catch double registration.
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, handler);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  /** What the renderer's `ipcRenderer.invoke(channel, ...args)` would reach, sent as `event`. */
  async invoke(channel: string, event: unknown, ...args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (!handler) throw new Error(`No handler registered for '${channel}'`);
    return handler(event, ...args);
  }
}
export const ipcMain = new MockIpcMain();

export interface InvokeCall {
  channel: string;
  args: unknown[];
}
type RendererListener = (event: unknown, ...args: unknown[]) => void;
export const ipcRenderer = {
  invokeCalls: [] as InvokeCall[],
  listeners: new Map<string, Set<RendererListener>>(),
  async invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    ipcRenderer.invokeCalls.push({ channel, args });
    return { ok: true, value: { channel } };
  },
  on(channel: string, listener: RendererListener) {
    if (!ipcRenderer.listeners.has(channel)) ipcRenderer.listeners.set(channel, new Set());
    ipcRenderer.listeners.get(channel)!.add(listener);
    return ipcRenderer;
  },
  removeListener(channel: string, listener: RendererListener) {
    ipcRenderer.listeners.get(channel)?.delete(listener);
    return ipcRenderer;
  },
  /** What main's `webContents.send(channel, payload)` would deliver, with Electron's event first. */
  deliver(channel: string, payload: unknown): void {
    for (const l of ipcRenderer.listeners.get(channel) ?? []) l({ sender: 'the-ipc-renderer' }, payload);
  },
};

export const contextBridge = {
  exposed: new Map<string, unknown>(),
  exposeInMainWorld(key: string, api: unknown): void {
    if (contextBridge.exposed.has(key)) throw new Error(`Cannot bind an API on top of an existing property: ${key}`);
    contextBridge.exposed.set(key, api);
  },
};

export const Menu = {
  applicationMenu: null as { template: unknown[] } | null,
  buildFromTemplate: (template: unknown[]) => ({ template }),
  setApplicationMenu(menu: { template: unknown[] } | null): void {
    Menu.applicationMenu = menu;
  },
};

class MockApp extends EventEmitter {
  name = 'Electron';
  isPackaged = false;
  /** What requestSingleInstanceLock answers; false plays the second instance. */
  singleInstanceLockAvailable = true;
  quitCalls = 0;
  exitCodes: number[] = [];
  readonly paths = new Map<string, string>([['userData', '/nonexistent/mock-userData']]);
  private ready = Promise.resolve();
  setName(name: string): void {
    this.name = name;
  }
  getName(): string {
    return this.name;
  }
  requestSingleInstanceLock(): boolean {
    return this.singleInstanceLockAvailable;
  }
  getPath(name: string): string {
    const path = this.paths.get(name);
    if (!path) throw new Error(`mock app has no path '${name}'`);
    return path;
  }
  whenReady(): Promise<void> {
    return this.ready;
  }
  quit(): void {
    this.quitCalls++;
  }
  exit(code = 0): void {
    this.exitCodes.push(code);
  }
}
export let app = new MockApp();

export const dialog = {
  errorBoxes: [] as { title: string; content: string }[],
  messageBoxes: [] as { options: unknown }[],
  /** The button index the next showMessageBoxSync returns. */
  nextMessageBoxAnswer: 0,
  showErrorBox(title: string, content: string): void {
    dialog.errorBoxes.push({ title, content });
  },
  showMessageBoxSync(_window: unknown, options: unknown): number {
    dialog.messageBoxes.push({ options });
    return dialog.nextMessageBoxAnswer;
  },
  /** Both signatures: (window, options) and (options). */
  async showMessageBox(windowOrOptions: unknown, maybeOptions?: unknown): Promise<{ response: number; checkboxChecked: boolean }> {
    dialog.messageBoxes.push({ options: maybeOptions ?? windowOrOptions });
    return { response: dialog.nextMessageBoxAnswer, checkboxChecked: false };
  },
};

export class Notification {
  static shown: { title?: string; body?: string }[] = [];
  static isSupported(): boolean {
    return true;
  }
  constructor(private readonly options: { title?: string; body?: string }) {}
  show(): void {
    Notification.shown.push(this.options);
  }
}

/** Forgets everything recorded, between tests. */
export function resetElectronMock(): void {
  app = new MockApp();
  dialog.errorBoxes = [];
  dialog.messageBoxes = [];
  dialog.nextMessageBoxAnswer = 0;
  Notification.shown = [];
  ipcRenderer.listeners.clear();
  BrowserWindow.instances = [];
  session.defaultSession = new MockSession();
  ipcMain.handlers.clear();
  ipcMain.removeAllListeners();
  ipcRenderer.invokeCalls = [];
  contextBridge.exposed.clear();
  Menu.applicationMenu = null;
}


