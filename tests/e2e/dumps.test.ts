// Dumps in the history, end to end: the built renderer in Chromium, bridged to the real core
// over a data directory with runs that left real dump files. The list shows each run's dump
// size or "deleted"; a run's page deletes its dump only when the main process's confirmation
// (the bridge's stand-in for Electron's native dialog) says yes, and is told why when a
// resumable run needs it; the retention setting in the header is stored in SQLite.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { collectPageProblems, launchChromium } from './bridge/browser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunStore } from '../../src/main/core/history/runStore';
import { openStore } from '../../src/main/core/store/database';
import { SettingsStore } from '../../src/main/core/store/settingsStore';
import type { TrustPrompt } from '../../src/main/ipc/confirmInMain';
import { seedRunWithDump } from '../harness/runDumpSeed';
import { RENDERER_DIR, startBridge, type Bridge } from './bridge/bridgeServer';

const SCREENSHOTS = resolve(__dirname, '../../test-results/screenshots');

let home: string;
let bridge: Bridge;
let browser: Browser;
let page: Page;
let runs: Record<'kept' | 'needed' | 'pruned', { runId: string; file: string }>;
/** What the stand-in for the native dialog answers next, and what it was asked. */
let answer = false;
const prompts: TrustPrompt[] = [];
const pageProblems: string[] = [];

const row = (runId: string) => page.locator(`.run-row[data-run-id="${runId}"]`);
const dumpPanel = () => page.locator('.run-dump');

async function shoot(name: string): Promise<void> {
  await page.evaluate('window.scrollTo(0, 0)');
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    await page.screenshot({ path: join(SCREENSHOTS, `${name}-${colorScheme}.png`), fullPage: true });
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

beforeAll(async () => {
  if (!existsSync(join(RENDERER_DIR, 'index.html'))) throw new Error(`The renderer is not built (${join(RENDERER_DIR, 'index.html')} is missing): run \`npm run build\` first.`);
  mkdirSync(SCREENSHOTS, { recursive: true });
  home = mkdtempSync(join(tmpdir(), 'rd-e2e-dumps-'));
  const store = openStore(join(home, 'replica-desk.sqlite'));
  const runStore = new RunStore(store.db);
  const backups = join(home, 'backups');
  runs = {
    needed: seedRunWithDump(runStore, store.db, backups, { hoursAgo: 30, outcome: 'failed', restoreDone: false, replica: 'rls2', bytes: 3_400_000 }),
    pruned: seedRunWithDump(runStore, store.db, backups, { hoursAgo: 20, outcome: 'succeeded', bytes: 1_000 }),
    kept: seedRunWithDump(runStore, store.db, backups, { hoursAgo: 10, outcome: 'succeeded', bytes: 2_500_000 }),
  };
  runStore.markDumpDeleted(runs.pruned.runId, { at: new Date().toISOString(), reason: 'retention' });
  rmSync(runs.pruned.file);
  store.close();
  bridge = await startBridge({
    home,
    confirmInMain: async (prompt) => {
      prompts.push(prompt);
      return answer;
    },
  });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  collectPageProblems(page, pageProblems);
  await page.goto(`${bridge.url}#/history`);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await bridge?.close();
  if (home) rmSync(home, { recursive: true, force: true });
});

describe('dumps in the history', () => {
  it("lists each run's dump with its size, or deleted", async () => {
    await expect.poll(() => row(runs.kept.runId).locator('.run-cell-dump').textContent()).toBe('2.5 MB');
    expect(await row(runs.needed.runId).locator('.run-cell-dump').textContent()).toBe('3.4 MB');
    expect(await row(runs.pruned.runId).locator('.run-cell-dump').textContent()).toBe('deleted');
    await shoot('history-dumps');
  });

  it("says on a run's page when and why its dump was deleted", async () => {
    await row(runs.pruned.runId).click();
    await expect.poll(() => dumpPanel().locator('.run-dump-state').textContent()).toMatch(/^Dump deleted by retention on /);
    expect(await dumpPanel().getByRole('button', { name: /Delete dump/ }).count()).toBe(0);
  });

  it('deletes a dump only when the main process confirms, naming the file and size', async () => {
    await page.evaluate(`window.location.hash = '#/history/${runs.kept.runId}'`);
    await expect.poll(() => dumpPanel().locator('.run-dump-state').textContent()).toBe('2.5 MB');

    answer = false;
    await dumpPanel().getByRole('button', { name: 'Delete dump…' }).click();
    await expect.poll(() => dumpPanel().getByRole('status').textContent()).toBe('The dump was not deleted.');
    expect(prompts).toHaveLength(1);
    expect(prompts[0]!.detail).toContain(runs.kept.file);
    expect(prompts[0]!.message).toContain('2.5 MB');
    expect(existsSync(runs.kept.file)).toBe(true);
    await shoot('history-dump-detail');

    answer = true;
    await dumpPanel().getByRole('button', { name: 'Delete dump…' }).click();
    await expect.poll(() => dumpPanel().locator('.run-dump-state').textContent()).toMatch(/^Dump deleted by the admin on /);
    expect(prompts).toHaveLength(2);
    expect(existsSync(runs.kept.file)).toBe(false);
  });

  it('refuses, without asking, a dump that a resumable run needs', async () => {
    await page.evaluate(`window.location.hash = '#/history/${runs.needed.runId}'`);
    await expect.poll(() => dumpPanel().locator('.run-dump-state').textContent()).toBe('3.4 MB');
    answer = true;
    await dumpPanel().getByRole('button', { name: 'Delete dump…' }).click();
    await expect.poll(() => dumpPanel().getByRole('alert').textContent()).toContain(`needed by resumable run ${runs.needed.runId}`);
    expect(prompts).toHaveLength(2);
    expect(existsSync(runs.needed.file)).toBe(true);
  });

  it('stores the number of dumps to keep from the header', async () => {
    await page.evaluate(`window.location.hash = '#/history'`);
    const setting = page.getByRole('form', { name: 'Dump retention' });
    const input = setting.getByRole('spinbutton');
    await expect.poll(() => input.inputValue()).toBe('2');
    await input.fill('0');
    expect(await setting.getByRole('button', { name: 'Save' }).isDisabled()).toBe(true);
    await input.fill('5');
    await setting.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => setting.getByRole('button', { name: 'Save' }).isDisabled()).toBe(true);
    const store = openStore(join(home, 'replica-desk.sqlite'));
    try {
      expect(new SettingsStore(store.db).get('dumpsKept')).toBe(5);
    } finally {
      store.close();
    }
    expect(pageProblems).toEqual([]);
  });
});
