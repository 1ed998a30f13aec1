// The real app in the real Electron, driven by Playwright: the window opens, the preload
// exposes exactly the operation functions and nothing of Node, and a call goes all the way
// through IPC and the sender guard to the core. Needs the Electron binary, which the build
// machines cannot download; there every test here is skipped and says why.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operations } from '../../src/shared/api';
import {
  appBuildIsStale,
  buildApp,
  electronVersion,
  ensureSqliteBindingForElectron,
  locateElectronBinary,
  projectRoot,
} from '../../scripts/start.mjs';

const version = electronVersion();
const binary = locateElectronBinary();
const skipReason = binary.exists
  ? null
  : `Electron ${version} binary is not installed (${binary.source}), so the app cannot be launched here. ` +
    '`node scripts/start.mjs --check` says why; the renderer is still tested in Chromium.';
if (skipReason) console.warn(`[e2e/electron] skipped: ${skipReason}`);

/** A private X server when there is no display (headless Linux CI); its display number comes back on fd 3. */
async function startXvfb(): Promise<{ display: string; server: ChildProcess }> {
  const server = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], {
    stdio: ['ignore', 'ignore', 'ignore', 'pipe'],
  });
  const display = await new Promise<string>((resolve, reject) => {
    let text = '';
    server.stdio[3]!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes('\n')) resolve(`:${text.trim()}`);
    });
    server.on('error', reject);
    server.on('exit', (code) => reject(new Error(`Xvfb exited with ${code} before reporting a display`)));
  });
  return { display, server };
}

describe('the Electron app', () => {
  let app: ElectronApplication;
  let page: Page;
  let home: string;
  let xvfb: { display: string; server: ChildProcess } | null = null;

  beforeAll(async () => {
    if (skipReason) return;
    const sqliteBinding = ensureSqliteBindingForElectron(version);
    if (appBuildIsStale() && !buildApp()) throw new Error('electron-vite build failed');
    const needsDisplay = process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY;
    if (needsDisplay && existsSync('/usr/bin/Xvfb')) xvfb = await startXvfb();
    home = mkdtempSync(join(tmpdir(), 'replica-desk-electron-'));
    app = await _electron.launch({
      executablePath: binary.path!,
      // Chromium refuses to run as root with its OS sandbox (CI containers).
      args: [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), projectRoot],
      env: {
        ...(process.env as Record<string, string>),
        REPLICA_DESK_HOME: home,
        REPLICA_DESK_SQLITE_BINDING: sqliteBinding,
        ...(xvfb ? { DISPLAY: xvfb.display } : {}),
      },
    });
    page = await app.firstWindow();
    await page.waitForLoadState('domcontentloaded');
  }, 15 * 60_000);

  afterAll(async () => {
    await app?.close();
    if (xvfb) xvfb.server.kill();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('opens one main window on the built page', async (ctx) => {
    if (skipReason) return ctx.skip(skipReason);
    expect(await page.title()).toBe('Replica Desk');
    expect(page.url()).toMatch(/^file:\/\/.*\/out\/renderer\/index\.html/);
    const windows = await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().map((w) => w.webContents.getURL()));
    expect(windows).toEqual([page.url()]);
  });

  it('exposes the operation functions on window.api and nothing of Node', async (ctx) => {
    if (skipReason) return ctx.skip(skipReason);
    const seen = await page.evaluate(() => {
      const g = globalThis as unknown as { api?: Record<string, unknown>; require?: unknown; process?: unknown };
      const api = g.api ?? {};
      return {
        functions: Object.keys(api).filter((k) => typeof api[k] === 'function'),
        keys: Object.keys(api),
        require: typeof g.require,
        process: typeof g.process,
      };
    });
    expect(seen.keys.sort()).toEqual([...operations].sort());
    expect(seen.functions.sort()).toEqual([...operations].sort());
    expect(seen.require).toBe('undefined');
    expect(seen.process).toBe('undefined');
  });

  it('answers a call through IPC from the core, with an empty data directory', async (ctx) => {
    if (skipReason) return ctx.skip(skipReason);
    const answer = await page.evaluate(async () => {
      const g = globalThis as unknown as { api: { listInstallations(r: object): Promise<unknown> } };
      return g.api.listInstallations({});
    });
    expect(answer).toEqual({ ok: true, value: [] });
    expect(existsSync(join(home, 'replica-desk.sqlite'))).toBe(true);
  });
});
