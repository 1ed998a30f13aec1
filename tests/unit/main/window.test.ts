import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { BrowserWindow, resetElectronMock } from '../../mocks/electron';

vi.mock('electron', () => import('../../mocks/electron'));

const { createMainWindow, isAppUrl, mainWindowPaths } = await import('../../../src/main/window');
const { CONTENT_SECURITY_POLICY, META_CONTENT_SECURITY_POLICY, parseContentSecurityPolicy } = await import(
  '../../../src/main/contentSecurityPolicy'
);

const root = join(__dirname, '../../..');
const paths = mainWindowPaths('/opt/replica-desk/out/main');
const appUrl = 'file:///opt/replica-desk/out/renderer/index.html';

function openWindow(): BrowserWindow {
  createMainWindow(paths);
  const window = BrowserWindow.instances.at(-1);
  if (!window) throw new Error('no window was created');
  return window;
}

beforeEach(() => resetElectronMock());

describe('mainWindowPaths', () => {
  it('points at the built preload and renderer next to out/main', () => {
    expect(paths.preload).toBe('/opt/replica-desk/out/preload/index.js');
    expect(paths.appEntryUrl).toBe(appUrl);
  });

  it('uses the dev server when electron-vite provides one', () => {
    expect(mainWindowPaths('/x/out/main', 'http://localhost:5173/').appEntryUrl).toBe('http://localhost:5173/');
  });
});

describe('createMainWindow', () => {
  it('isolates the renderer from Node and sandboxes it', () => {
    const prefs = openWindow().options.webPreferences;
    expect(prefs).toMatchObject({
      preload: paths.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      webviewTag: false,
      allowRunningInsecureContent: false,
    });
  });

  it("loads the app's own page", () => {
    expect(openWindow().loadedUrls).toEqual([appUrl]);
  });

  it('sends the strict CSP on every response, replacing any other', () => {
    const session = openWindow().webContents.session;
    const answer = vi.fn();
    session.headersReceivedListener!(
      { url: appUrl, responseHeaders: { 'content-security-policy': ["default-src *"], 'X-Other': ['kept'] } },
      answer,
    );
    const headers = answer.mock.calls[0]![0].responseHeaders as Record<string, string[]>;
    expect(headers['Content-Security-Policy']).toEqual([CONTENT_SECURITY_POLICY]);
    expect(Object.keys(headers).filter((h) => h.toLowerCase() === 'content-security-policy')).toHaveLength(1);
    expect(headers['X-Other']).toEqual(['kept']);
  });

  it('denies window.open', () => {
    const contents = openWindow().webContents;
    expect(contents.windowOpenHandler!({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
    expect(contents.windowOpenHandler!({ url: appUrl })).toEqual({ action: 'deny' });
  });

  it('blocks navigation away from the app and allows it within', () => {
    const contents = openWindow().webContents;
    expect(contents.emitPreventable('will-navigate', 'https://example.com/')).toBe(true);
    expect(contents.emitPreventable('will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(contents.emitPreventable('will-redirect', 'https://example.com/')).toBe(true);
    expect(contents.emitPreventable('will-navigate', `${appUrl}#/installations`)).toBe(false);
  });

  it('refuses to attach webviews', () => {
    expect(openWindow().webContents.emitPreventable('will-attach-webview', {}, {})).toBe(true);
  });

  it('denies every permission request and check', () => {
    const session = openWindow().webContents.session;
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal']) {
      const answer = vi.fn();
      session.permissionRequestHandler!({}, permission, answer, {});
      expect(answer).toHaveBeenCalledWith(false);
      expect(session.permissionCheckHandler!({}, permission, appUrl, {})).toBe(false);
    }
  });

  it('installs the session hooks once even when the window is re-created', () => {
    const first = openWindow();
    const listener = first.webContents.session.headersReceivedListener;
    const second = openWindow();
    expect(second.webContents.session).toBe(first.webContents.session);
    expect(second.webContents.session.headersReceivedListener).toBe(listener);
    expect(second.webContents.windowOpenHandler).not.toBeNull();
  });
});

describe('isAppUrl', () => {
  it('accepts the entry page with a hash or query', () => {
    expect(isAppUrl(appUrl, appUrl)).toBe(true);
    expect(isAppUrl(`${appUrl}#/x`, appUrl)).toBe(true);
    expect(isAppUrl(`${appUrl}?a=1`, appUrl)).toBe(true);
  });

  it('rejects other files, other schemes and garbage', () => {
    expect(isAppUrl('file:///opt/replica-desk/out/renderer/other.html', appUrl)).toBe(false);
    expect(isAppUrl('file://evil-host/opt/replica-desk/out/renderer/index.html', appUrl)).toBe(false);
    expect(isAppUrl('https://opt/replica-desk/out/renderer/index.html', appUrl)).toBe(false);
    expect(isAppUrl('about:blank', appUrl)).toBe(false);
    expect(isAppUrl('', appUrl)).toBe(false);
    expect(isAppUrl('not a url', appUrl)).toBe(false);
  });

  it('matches the dev server by origin', () => {
    expect(isAppUrl('http://localhost:5173/src/x', 'http://localhost:5173/')).toBe(true);
    expect(isAppUrl('http://localhost:5174/', 'http://localhost:5173/')).toBe(false);
    expect(isAppUrl('https://localhost:5173/', 'http://localhost:5173/')).toBe(false);
  });
});

describe('the Content Security Policy', () => {
  const policy = parseContentSecurityPolicy(CONTENT_SECURITY_POLICY);

  it('allows nothing but the app itself', () => {
    expect(Object.fromEntries(policy)).toEqual({
      'default-src': ["'self'"],
      'script-src': ["'self'"],
      'style-src': ["'self'"],
      'img-src': ["'self'", 'data:'],
      'connect-src': ["'self'"],
      'object-src': ["'none'"],
      'base-uri': ["'none'"],
      'form-action': ["'none'"],
      'frame-ancestors': ["'none'"],
    });
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-|\*|http:|https:|blob:/);
  });

  it("is what the renderer's index.html meta tag declares (less frame-ancestors, which meta tags ignore)", () => {
    const html = readFileSync(join(root, 'src/renderer/index.html'), 'utf8');
    const meta = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"/i.exec(html);
    expect(meta, 'index.html has a CSP meta tag').not.toBeNull();
    expect(parseContentSecurityPolicy(meta![1]!)).toEqual(parseContentSecurityPolicy(META_CONTENT_SECURITY_POLICY));
  });
});
