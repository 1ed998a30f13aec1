import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { contextBridge, ipcRenderer, resetElectronMock } from '../../mocks/electron';
import { channelFor, operations, RESTORE_EVENT_CHANNEL, SANDBOX_EVENT_CHANNEL } from '../../../src/shared/api';

vi.mock('electron', () => import('../../mocks/electron'));

const root = join(__dirname, '../../..');

describe('the preload script', () => {
  let api: Record<string, unknown>;

  beforeAll(async () => {
    resetElectronMock();
    await import('../../../src/preload/index');
    api = contextBridge.exposed.get('api') as Record<string, unknown>;
  });

  it('exposes one object, window.api, and nothing else', () => {
    expect([...contextBridge.exposed.keys()]).toEqual(['api']);
  });

  it('has exactly one function per operation, named after it, plus the event subscriptions', () => {
    expect(Object.keys(api).sort()).toEqual([...operations, 'onRestoreEvent', 'onSandboxEvent'].sort());
    for (const op of operations) expect(typeof api[op], op).toBe('function');
  });

  it('delivers restore events without Electron\'s event object, and unsubscribes', () => {
    const seen: unknown[] = [];
    const off = (api as any).onRestoreEvent((e: unknown) => seen.push(e));
    ipcRenderer.deliver(RESTORE_EVENT_CHANNEL, { type: 'log', runId: 'r', level: 'info', message: 'm' });
    ipcRenderer.deliver('some-other-channel', { type: 'log' });
    off();
    ipcRenderer.deliver(RESTORE_EVENT_CHANNEL, { type: 'log', runId: 'r', level: 'info', message: 'late' });
    expect(seen).toEqual([{ type: 'log', runId: 'r', level: 'info', message: 'm' }]);
  });

  it('delivers sandbox events on their own channel only, without Electron\'s event object, and unsubscribes', () => {
    const seen: unknown[] = [];
    const progress = { action: 'up', phase: 'master', index: 3, count: 8, message: 'generating', doneMb: 2, totalMb: 5 };
    const off = (api as any).onSandboxEvent((e: unknown) => seen.push(e));
    ipcRenderer.deliver(SANDBOX_EVENT_CHANNEL, { type: 'progress', progress });
    ipcRenderer.deliver(RESTORE_EVENT_CHANNEL, { type: 'log', runId: 'r', level: 'info', message: 'not for the sandbox' });
    off();
    ipcRenderer.deliver(SANDBOX_EVENT_CHANNEL, { type: 'end', action: 'up', outcome: 'done', error: null });
    expect(seen).toEqual([{ type: 'progress', progress }]);
  });

  it('exposes neither ipcRenderer nor a generic invoke', () => {
    const exposed = Object.values(api);
    expect(exposed).not.toContain(ipcRenderer);
    expect(exposed).not.toContain(ipcRenderer.invoke);
    for (const name of ['invoke', 'send', 'sendSync', 'on', 'ipcRenderer']) expect(api).not.toHaveProperty(name);
  });

  it("sends each operation's request, and only that, on the operation's own channel", async () => {
    ipcRenderer.invokeCalls = [];
    for (const op of operations) {
      const call = api[op] as (request: unknown, ...extra: unknown[]) => Promise<unknown>;
      await expect(call({ probe: op }, 'extra-argument')).resolves.toEqual({ ok: true, value: { channel: channelFor(op) } });
    }
    expect(ipcRenderer.invokeCalls).toEqual(operations.map((op) => ({ channel: channelFor(op), args: [{ probe: op }] })));
  });
});

// A sandboxed preload gets a require() that knows only 'electron' and a few built-ins
// (events, timers, url), so its bundle must carry everything else inline.
describe('the preload bundle', () => {
  const outDir = mkdtempSync(join(tmpdir(), 'replica-desk-preload-'));
  const env = { ...process.env };
  let bundle: string;

  beforeAll(async () => {
    const { resolveConfig } = await import('electron-vite');
    const { build } = await import('vite');
    const { config } = await resolveConfig({ root, build: { outDir }, logLevel: 'warn' }, 'build', 'production');
    if (!config?.preload) throw new Error('electron.vite.config.ts has no preload build');
    await build(config.preload);
    bundle = readFileSync(join(outDir, 'preload/index.js'), 'utf8');
  }, 60_000);

  afterAll(() => {
    rmSync(outDir, { recursive: true, force: true });
    process.env = env;
  });

  it('is CommonJS and requires nothing but electron', () => {
    expect(bundle).not.toMatch(/^\s*import\s|^\s*export\s/m);
    const required = [...bundle.matchAll(/\brequire\(\s*["'`]([^"'`]+)["'`]\s*\)/g)].map((m) => m[1]);
    expect(required).toContain('electron');
    const fix = 'a sandboxed preload cannot load these; bundle them (preload build.externalizeDeps: false in electron.vite.config.ts)';
    expect(new Set(required), fix).toEqual(new Set(['electron']));
  });
});
