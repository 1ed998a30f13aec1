// The history end to end: a real restore through the engine (the CLI against two real
// PostgreSQL clusters) plus 10,000 older runs written through the core's RunStore, all in
// one data directory; the built renderer in Chromium, bridged to the real core. The list
// must stay a window of rows, filter and search, and open a run's page with its timeline,
// captured values, log and report exports. Also the navigation shell and its shortcuts.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { collectPageProblems, launchChromium } from './bridge/browser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/shared/runRecord';
import { assertCliBuilt } from '../harness/cli';
import { startRestoreEnvironment, type RestoreEnvironment } from '../harness/restoreEnvironment';
import { seedRunHistory, type SeededRun } from '../harness/runHistorySeed';
import { RENDERER_DIR, startBridge, type Bridge } from './bridge/bridgeServer';

const SCREENSHOTS = resolve(__dirname, '../../test-results/screenshots');
const SEEDED = 10_000;
const TOTAL = SEEDED + 1;

let env: RestoreEnvironment;
let bridge: Bridge;
let browser: Browser;
let page: Page;
let seeded: SeededRun[];
let realRun: RunRecord;
const pageProblems: string[] = [];

const count = (n: number) => n.toLocaleString('en-US');
/** The local calendar day, as the page's date inputs and filters read it (same machine, same zone). */
const localDay = (iso: string) => {
  const d = new Date(iso);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
};
// Page-side expressions are strings: this file is type-checked without the DOM library.
const currentHash = () => page.evaluate('window.location.hash');
const focusedRunId = () => page.evaluate("document.activeElement?.getAttribute('data-run-id')");
const scrollRunList = (top: number | 'end') =>
  page.evaluate(`{ const list = document.querySelector('.run-list'); list.scrollTop = ${top === 'end' ? 'list.scrollHeight' : top}; }`);
const runList = () => page.getByRole('list', { name: 'Runs' });
const runRows = () => runList().getByRole('listitem');
const runCount = () => page.locator('.run-count');
const filters = () => page.locator('search[aria-label="Filter runs"]');

async function shoot(name: string, { fullPage = true } = {}): Promise<void> {
  await page.evaluate('window.scrollTo(0, 0)');
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    await page.screenshot({ path: join(SCREENSHOTS, `${name}-${colorScheme}.png`), fullPage });
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

async function openHash(hash: string): Promise<void> {
  await page.evaluate(`window.location.hash = ${JSON.stringify(hash)}`);
}

async function showRun(runId: string): Promise<RunRecord> {
  const response = await fetch(new URL('api/showRun', bridge.url), { method: 'POST', body: JSON.stringify({ runId }) });
  const body = (await response.json()) as { ok: boolean; value: RunRecord };
  if (!body.ok) throw new Error(`showRun ${runId} failed`);
  return body.value;
}

beforeAll(async () => {
  assertCliBuilt();
  if (!existsSync(join(RENDERER_DIR, 'index.html'))) throw new Error(`The renderer is not built (${join(RENDERER_DIR, 'index.html')} is missing): run \`npm run build\` first.`);
  mkdirSync(SCREENSHOTS, { recursive: true });
  env = await startRestoreEnvironment({ withoutSsh: true });
  // A real run through the engine, as an admin starts it from a terminal.
  const restored = await env.cli(['restore', env.installation, '--yes', '--json']);
  if (restored.code !== 0) throw new Error(`the restore failed: ${restored.stderr}`);
  realRun = JSON.parse(restored.stdout) as RunRecord;
  // Years of history before it, through the same RunStore the runner writes with.
  seeded = seedRunHistory({ home: env.home, count: SEEDED });
  bridge = await startBridge({ home: env.home, env: { ...process.env, ...env.env } });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 860 }, acceptDownloads: true });
  collectPageProblems(page, pageProblems);
  await page.goto(bridge.url);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await bridge?.close();
  await env?.stop();
});

describe('a new user’s history', () => {
  it('says what to do first when nothing has run and no installation exists', async () => {
    const home = mkdtempSync(join(tmpdir(), 'rd-e2e-history-empty-'));
    const empty = await startBridge({ home });
    try {
      await page.goto(`${empty.url}#/history`);
      const region = page.getByRole('region', { name: 'No runs yet' });
      await expect.poll(() => region.isVisible()).toBe(true);
      expect(await region.getByRole('link', { name: 'Go to installations' }).getAttribute('href')).toBe('#/installations');
      expect(await region.textContent()).toContain('replica-desk restore');
      await shoot('history-empty');
    } finally {
      await empty.close();
      rmSync(home, { recursive: true, force: true });
    }
    await page.goto(bridge.url);
  });
});

describe('navigation shell', () => {
  it('opens on the installations, with the four views and their shortcuts in the tooltips', async () => {
    const nav = page.getByRole('navigation', { name: 'Main' });
    await expect.poll(() => nav.getByRole('link').allTextContents()).toEqual(['Installations', 'Topology', 'Restore', 'History']);
    expect(await nav.getByRole('link', { name: 'Installations' }).getAttribute('aria-current')).toBe('page');
    expect(await nav.getByRole('link', { name: 'History' }).getAttribute('title')).toBe('History (Ctrl+4)');
    await expect.poll(() => page.getByRole('navigation', { name: 'Installations' }).textContent()).toContain(env.installation);
    await shoot('shell-installations');
  });

  it('switches views with Ctrl+1…4 and keeps the hash in step', async () => {
    await page.keyboard.press('Control+4');
    await expect.poll(() => currentHash()).toBe('#/history');
    await expect.poll(() => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'History' }).getAttribute('aria-current')).toBe('page');
    await expect.poll(() => page.title()).toBe('History · Replica Desk');
    await page.keyboard.press('Control+3');
    await expect.poll(() => currentHash()).toBe('#/restore');
    await page.keyboard.press('Control+1');
    await expect.poll(() => currentHash()).toBe('#/installations');
  });
});

describe('history list', () => {
  it(`lists ${count(TOTAL)} runs newest first, rendering only a window of rows`, async () => {
    await openHash('#/history');
    await expect.poll(() => runCount().textContent(), { timeout: 60_000 }).toMatch(new RegExp(`^${count(TOTAL)} runs`));
    const first = runRows().first();
    await expect.poll(() => first.textContent()).toContain(realRun.runId);
    expect(await first.textContent()).toContain(env.installation);
    expect(await first.textContent()).toContain('Succeeded');
    const rendered = await runRows().count();
    expect(rendered).toBeGreaterThan(5);
    expect(rendered).toBeLessThan(100);
    expect(await runRows().first().getAttribute('aria-setsize')).toBe(String(TOTAL));
    await shoot('history-list');
  });

  it('shows later runs as the list scrolls, loading their page first, still only a window of them', async () => {
    const oldest = seeded[seeded.length - 1]!;
    expect(await page.getByText(oldest.runId).count()).toBe(0);
    await scrollRunList('end');
    await expect.poll(() => runRows().last().textContent(), { timeout: 30_000 }).toContain(oldest.runId);
    expect(await runRows().last().getAttribute('aria-posinset')).toBe(String(TOTAL));
    expect(await runRows().count()).toBeLessThan(100);
    expect(await page.getByText(realRun.runId).count()).toBe(0);

    const middle = seeded[4999]!;
    await scrollRunList(5000 * 56 - 100);
    await expect.poll(() => runList().textContent()).toContain(middle.runId);
  });

  it('moves between rows with the arrow keys', async () => {
    await scrollRunList(0);
    // The windowed list re-renders after the scroll; wait for the top rows before focusing one.
    await expect.poll(() => runRows().first().textContent()).toContain(realRun.runId);
    await runRows().first().getByRole('link').focus();
    await expect.poll(() => focusedRunId()).toBe(realRun.runId);
    // One key at a time: each move re-renders the window of rows before the next.
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => focusedRunId()).toBe(seeded[0]!.runId);
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => focusedRunId()).toBe(seeded[1]!.runId);
    await page.keyboard.press('End');
    await expect.poll(() => focusedRunId()).toBe(seeded[seeded.length - 1]!.runId);
    await page.keyboard.press('Home');
    await expect.poll(() => focusedRunId()).toBe(realRun.runId);
  });

  it('narrows the list by installation, outcome, replica and date', async () => {
    const expected = (keep: (r: SeededRun) => boolean) => seeded.filter(keep).length;
    // Filters apply once every run has been paged in.
    await expect.poll(() => runCount().textContent(), { timeout: 60_000 }).not.toContain('loading');
    await filters().getByLabel('Installation').selectOption('prod-us');
    const prodUs = expected((r) => r.installation === 'prod-us');
    await expect.poll(() => runCount().textContent()).toMatch(new RegExp(`^${count(prodUs)} of ${count(TOTAL)} runs`));

    await filters().getByLabel('Outcome').selectOption('failed');
    const failedUs = expected((r) => r.installation === 'prod-us' && r.outcome === 'failed');
    await expect.poll(() => runCount().textContent()).toMatch(new RegExp(`^${count(failedUs)} of`));
    for (const text of await runRows().allTextContents()) expect(text).toMatch(/Failed.*prod-us/);

    await filters().getByLabel('Installation').selectOption('staging-eu');
    await filters().getByLabel('Outcome').selectOption('');
    await filters().getByLabel('Replica').selectOption('staging-eu/rls3');
    const rls3 = expected((r) => r.installation === 'staging-eu' && r.replicas.includes('rls3'));
    await expect.poll(() => runCount().textContent()).toMatch(new RegExp(`^${count(rls3)} of`));

    const [newer, older] = [seeded[300]!, seeded[400]!].map((r) => localDay(r.createdAt));
    await filters().getByLabel('From').fill(older!);
    await filters().getByLabel('To').fill(newer!);
    const inRange = expected((r) => r.installation === 'staging-eu' && r.replicas.includes('rls3') && localDay(r.createdAt) >= older! && localDay(r.createdAt) <= newer!);
    expect(inRange).toBeGreaterThan(0);
    await expect.poll(() => runCount().textContent()).toMatch(new RegExp(`^${count(inRange)} of`));
    await shoot('history-list-filtered');
    await filters().getByRole('button', { name: 'Clear filters' }).click();
    await expect.poll(() => runCount().textContent()).toMatch(new RegExp(`^${count(TOTAL)} runs`));
  });

  it('searches run ids, replicas and messages', async () => {
    const search = filters().getByLabel('Search');
    const target = seeded[1234]!;
    await search.fill(target.runId);
    await expect.poll(() => runCount().textContent()).toMatch(new RegExp(`^1 of ${count(TOTAL)} runs`));
    expect(await runRows().first().textContent()).toContain(target.runId);

    await search.fill('access DENIED');
    const denied = seeded.filter((r) => r.failure?.includes('Access denied')).length;
    expect(denied).toBeGreaterThan(0);
    await expect.poll(() => runCount().textContent()).toMatch(new RegExp(`^${count(denied)} of`));

    await search.fill(`${env.installation}/rls2`);
    await expect.poll(() => runCount().textContent()).toMatch(new RegExp(`^1 of`));

    await search.fill('no run says this');
    await expect.poll(() => page.getByRole('region', { name: 'No matching runs' }).isVisible()).toBe(true);
    await page.getByRole('region', { name: 'No matching runs' }).getByRole('button', { name: 'Clear filters' }).click();
    await expect.poll(() => runCount().textContent()).toMatch(new RegExp(`^${count(TOTAL)} runs`));
    expect(await search.inputValue()).toBe('');
  });
});

describe("a run's page", () => {
  it('shows the real run: timeline per replica, captured values, verification and the log', async () => {
    await runRows().first().getByRole('link').click();
    await expect.poll(() => currentHash()).toBe(`#/history/${realRun.runId}`);
    const record = await showRun(realRun.runId);
    const timeline = page.getByRole('img', { name: /^Timeline of/ });
    await expect.poll(() => timeline.isVisible()).toBe(true);
    const started = record.steps.filter((s) => s.startedAt).length;
    expect(await timeline.locator('rect.timeline-bar').count()).toBe(started);
    const groups = await timeline.locator('.timeline-group-label').allTextContents();
    expect(groups).toEqual(expect.arrayContaining([`${env.installation}/rls1`, `${env.installation}/rls2`]));

    const captured = page.getByRole('region', { name: 'Captured values' });
    const backup = record.backup as { file: string; sha256: string };
    expect(await captured.textContent()).toContain(backup.sha256);
    expect(await captured.textContent()).toContain(backup.file);
    expect(await captured.textContent()).toContain(record.changelog!.sequenceNo);
    const connections = captured.getByRole('table', { name: 'Database connections' }).getByRole('row');
    expect(await connections.allTextContents()).toEqual(
      expect.arrayContaining(['mls', 'rls1', 'rls2'].map((s) => `${env.installation}/${s}not encrypted`)),
    );

    const verification = page.getByRole('region', { name: 'Verification' });
    expect(await verification.getByRole('article').count()).toBe(2);
    expect(await verification.locator('.run-check-failed').count()).toBe(0);
    expect(await verification.locator('.run-check-ok').count()).toBeGreaterThan(3);

    const log = page.getByRole('list', { name: 'Run log' }).getByRole('listitem');
    expect(await log.count()).toBe(record.log!.length);
    expect(record.log!.length).toBeGreaterThan(5);
    expect(await page.content()).not.toContain(env.password);
    expect(await page.getByRole('link', { name: 'Resume' }).count()).toBe(0);
    await shoot('history-detail');
  });

  it('exports the run as Markdown and as JSON', async () => {
    const [markdown] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export Markdown' }).click()]);
    expect(markdown.suggestedFilename()).toBe(`replica-desk-run-${realRun.runId}.md`);
    const text = readFileSync(await markdown.path(), 'utf8');
    expect(text).toContain(`# Replica Desk restore ${realRun.runId}`);
    expect(text).toContain(`- Installation: ${env.installation}`);
    expect(text).toContain('- Status: **succeeded**');
    expect(text).toContain('## Steps');
    expect(text).toContain('## Log');
    expect(text).not.toContain(env.password);

    const [json] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export JSON' }).click()]);
    expect(json.suggestedFilename()).toBe(`replica-desk-run-${realRun.runId}.json`);
    expect(JSON.parse(readFileSync(await json.path(), 'utf8'))).toMatchObject({ runId: realRun.runId, status: 'succeeded' });
  });

  it('goes back to the list where it was', async () => {
    await page.getByRole('link', { name: '← History' }).click();
    await expect.poll(() => currentHash()).toBe('#/history');
    await expect.poll(() => runList().isVisible()).toBe(true);
    expect(await runCount().textContent()).toMatch(new RegExp(`^${count(TOTAL)} runs`));
  });

  it('shows a failed run with its compensation, and offers to resume it in the wizard', async () => {
    const failed = seeded.find((r) => r.outcome === 'failed')!;
    await openHash(`#/history/${failed.runId}`);
    const heading = page.getByRole('heading', { level: 2, name: /Restore of/ });
    await expect.poll(() => heading.textContent()).toContain('Failed');
    expect(await page.getByRole('region', { name: 'Compensation' }).textContent()).toContain('left stopped');
    expect(await page.getByRole('region', { name: 'Timeline' }).locator('.timeline-status-failed rect.timeline-bar').count()).toBe(1);
    const resume = page.getByRole('link', { name: 'Resume' });
    expect(await resume.getAttribute('href')).toBe(`#/restore?resume=${failed.runId}`);
    await shoot('history-detail-failed');
    await resume.click();
    await expect.poll(() => currentHash()).toBe(`#/restore?resume=${failed.runId}`);
    await expect.poll(() => page.getByText(`Run ${failed.runId}`).isVisible()).toBe(true);
  });

  it('deep-links to a run that does not exist with the core’s error and hint', async () => {
    await openHash('#/history/no-such-run');
    const alert = page.getByRole('alert').filter({ hasText: 'Could not show run no-such-run' });
    await expect.poll(() => alert.isVisible()).toBe(true);
    expect(await alert.locator('.notice-hint').textContent()).toMatch(/runs list/);
  });

  it('ran without page errors, console errors or CSP violations', () => {
    expect(pageProblems).toEqual([]);
  });
});
