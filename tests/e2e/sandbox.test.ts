// *Try the sandbox* end to end: the built renderer in Chromium, bridged over HTTP (and
// Server-Sent Events for the sandbox's progress) to the real core, which builds real
// PostgreSQL clusters, a generated master, replicas and stand-in servers, stores real
// keychain entries and imports the profile. A newcomer's first minutes, in order: the empty
// app, a first Try cancelled half-way (the view is clean again), a second Try that picks up
// what the first left, the sandbox's topology with its lagging replica, a restore of every
// replica, the run in the history marked as a sandbox run, and Remove sandbox (main's native
// dialog stands in as a recorded yes), after which the app is empty and the run stays.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Browser, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrustPrompt } from '../../src/main/ipc/confirmInMain';
import type { RunRecord } from '../../src/shared/runRecord';
import type { SandboxStatusReply } from '../../src/shared/sandboxEvents';
import { collectPageProblems, launchChromium } from './bridge/browser';
import { startBridge, type Bridge } from './bridge/bridgeServer';
import { callOperation } from './bridge/callOperation';

const SCREENSHOTS = resolve(__dirname, '../../test-results/screenshots');
/** Small, to stay fast: the walk is about the app, not the generator. */
const SIZE_MB = 5;
/** Building the sandbox (clusters, master, replicas, servers) on a loaded two-core machine. */
const BUILD = { timeout: 120_000, interval: 200 };
/** For answers that take the core real work (a probe, a preflight). */
const WORK = { timeout: 30_000, interval: 100 };
const RUN = { timeout: 120_000, interval: 250 };

let home: string;
let bridge: Bridge;
let browser: Browser;
let page: Page;
const pageProblems: string[] = [];
/** What main asked in its native dialog (the stand-in says yes). */
const prompts: TrustPrompt[] = [];
/** The sandbox as the cancelled first try left it. */
let leftover: SandboxStatusReply | null = null;

async function shoot(name: string): Promise<void> {
  await page.evaluate('window.scrollTo(0, 0)');
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    await page.screenshot({ path: join(SCREENSHOTS, `sandbox-${name}-${colorScheme}.png`), fullPage: true });
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

const region = (name: string): Locator => page.getByRole('region', { name, exact: true });
const tryCard = () => region('Try the sandbox');
const progress = (title: string) => page.getByRole('group', { name: `${title} progress` });
const openHash = (hash: string) => page.evaluate(`window.location.hash = ${JSON.stringify(hash)}`);
const status = () => callOperation<SandboxStatusReply>(bridge, 'sandboxStatus', {});
const sandboxRuns = () => callOperation<RunRecord[]>(bridge, 'listRuns', { installation: 'sandbox' });

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  home = mkdtempSync(join(tmpdir(), 'rd-e2e-sandbox-'));
  bridge = await startBridge({
    home,
    confirmInMain: async (prompt) => {
      prompts.push(prompt);
      return true;
    },
  });
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 860 } })).newPage();
  collectPageProblems(page, pageProblems);
  await page.goto(bridge.url);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  // Whatever a failed walk left behind goes, so no cluster or stand-in outlives the test.
  if (bridge) await callOperation(bridge, 'sandboxDown', {}).catch(() => undefined);
  await bridge?.close();
  if (home) rmSync(home, { recursive: true, force: true });
}, 120_000);

describe('Try the sandbox', () => {
  it('is offered in the empty Installations view; cancelled half-way, the view is clean again', async () => {
    await expect.poll(() => tryCard().isVisible(), WORK).toBe(true);
    const text = (await tryCard().textContent()) ?? '';
    expect(text).toContain('never touches a production server');
    expect(await tryCard().getByLabel('Size of the master (MB)').inputValue()).toBe('50');
    await shoot('01-empty');

    await tryCard().getByLabel('Size of the master (MB)').fill('0');
    expect(await tryCard().getByRole('button', { name: 'Try the sandbox' }).isDisabled()).toBe(true);
    await tryCard().getByLabel('Size of the master (MB)').fill(String(SIZE_MB));
    await tryCard().getByRole('button', { name: 'Try the sandbox' }).click();

    // Cancelled once the clusters are being made: there is something to leave behind.
    const building = progress('Building the sandbox');
    await expect.poll(() => building.textContent(), BUILD).toMatch(/Phase [2-9] of 8/);
    await shoot('02-progress');
    await building.getByRole('button', { name: 'Cancel' }).click();

    // A cancel the admin asked for is a plain status, not an error.
    await expect.poll(() => tryCard().getByRole('status').textContent(), BUILD).toContain('Building the sandbox was cancelled.');
    expect(await tryCard().getByRole('alert').count()).toBe(0);
    await expect.poll(() => tryCard().getByRole('button', { name: 'Remove what it made' }).isVisible(), WORK).toBe(true);
    expect(await building.count()).toBe(0);
    expect(await tryCard().getByRole('button', { name: 'Try the sandbox again' }).isEnabled()).toBe(true);
    expect(await page.getByRole('navigation', { name: 'Installations' }).getByRole('listitem').count()).toBe(0);
    // What the first try made stays recorded, for the next try to reuse (or Remove sandbox to remove).
    leftover = await status();
    expect(leftover).toMatchObject({ exists: true, job: null });
    await shoot('03-cancelled');
  }, BUILD.timeout + 30_000);

  it('builds the sandbox on a second try (reusing what the first made) and opens its topology, the lagging replica flagged', async () => {
    await tryCard().getByRole('button', { name: 'Try the sandbox again' }).click();
    const building = progress('Building the sandbox');
    await expect.poll(() => building.isVisible(), WORK).toBe(true);
    // The master's generation reports its megabytes.
    await expect.poll(() => building.getByLabel('Master database generated').isVisible().catch(() => false), BUILD).toBe(true);
    await shoot('04-generating');

    await expect.poll(() => page.evaluate('window.location.hash'), BUILD).toBe('#/topology');
    const built = await status();
    expect(built).toMatchObject({ exists: true, installation: 'sandbox', job: null, problems: [] });
    expect(built.servers.map((s) => s.name).sort()).toEqual(['mls', 'rls1', 'rls2']);
    // The same sandbox, finished: the second try built on what the first had made.
    expect({ dir: built.dir, createdAt: built.createdAt }).toEqual({ dir: leftover?.dir, createdAt: leftover?.createdAt });

    const group = region('Installation sandbox');
    await expect.poll(() => group.isVisible(), WORK).toBe(true);
    expect(await group.getByText('Sandbox', { exact: true }).isVisible()).toBe(true);
    const stale = built.servers.find((s) => s.builtStale)!;
    await expect.poll(() => group.getByRole('button', { name: new RegExp(`^${stale.name}: `) }).getAttribute('aria-label'), WORK).toContain('lagging');
    await shoot('05-topology');
  }, BUILD.timeout + 30_000);

  it('restores every replica of the sandbox, the wizard marking it as the sandbox', async () => {
    await openHash('#/restore?installation=sandbox');
    const choose = region('Choose replicas');
    await expect.poll(() => choose.isVisible(), WORK).toBe(true);
    expect(await page.getByRole('heading', { name: /Restore replicas of sandbox/ }).getByText('Sandbox', { exact: true }).isVisible()).toBe(true);
    for (const server of ['rls1', 'rls2']) expect(await choose.getByLabel(server, { exact: true }).isChecked()).toBe(true);
    await choose.getByRole('button', { name: 'Run preflight' }).click();
    await expect.poll(() => region('Preflight').textContent().catch(() => ''), WORK).toContain('Preflight passed');

    await page.getByRole('button', { name: 'Review the plan' }).click();
    await expect.poll(() => region('Plan').isVisible()).toBe(true);
    expect(await page.getByRole('note').textContent()).toContain('This restore runs on the sandbox');
    await shoot('06-plan');

    await page.getByRole('button', { name: 'Continue to confirmation' }).click();
    expect(await page.getByRole('note').textContent()).toContain('No production server is touched');
    for (const server of ['rls1', 'rls2']) await region('Confirm').getByLabel(`Type sandbox/${server} to confirm`).fill(`sandbox/${server}`);
    await shoot('07-confirm');
    await page.getByRole('button', { name: 'Start restore' }).click();
    await expect.poll(() => region('Summary').isVisible(), RUN).toBe(true);
    expect(await region('Summary').textContent()).toContain('The restore succeeded');
    await shoot('08-summary');

    const [run] = await sandboxRuns();
    expect(run).toMatchObject({ status: 'succeeded', sandbox: true });
  }, RUN.timeout + 60_000);

  it('shows the run in the history marked as a sandbox run', async () => {
    const [run] = await sandboxRuns();
    await openHash('#/history');
    const row = page.locator(`a.run-row[data-run-id="${run!.runId}"]`);
    await expect.poll(() => row.isVisible(), WORK).toBe(true);
    expect(await row.getByText('Sandbox', { exact: true }).isVisible()).toBe(true);
    await shoot('09-history');

    await row.click();
    const title = page.getByRole('heading', { name: /Restore of sandbox/ });
    await expect.poll(() => title.isVisible(), WORK).toBe(true);
    expect(await title.getByText('Sandbox', { exact: true }).isVisible()).toBe(true);
    await shoot('10-run');
  }, 60_000);

  it('removes the sandbox after main asked; the app is empty again and the run stays, marked sandbox', async () => {
    await openHash('#/installations');
    const details = page.getByRole('heading', { level: 2, name: /^sandbox/ });
    await expect.poll(() => details.isVisible(), WORK).toBe(true);
    expect(await page.getByRole('navigation', { name: 'Installations' }).getByText('Sandbox', { exact: true }).isVisible()).toBe(true);
    // The sandbox is removed, never edited or deleted as an ordinary installation.
    expect(await page.getByRole('button', { name: 'Delete', exact: true }).count()).toBe(0);
    await shoot('11-details');

    await region('Remove sandbox').getByRole('button', { name: 'Remove sandbox' }).click();
    await expect.poll(() => tryCard().isVisible(), BUILD).toBe(true);
    expect(prompts.map((p) => p.title)).toEqual(['Remove the sandbox']);
    expect(prompts[0]!.detail).toContain('no other installation is touched');
    expect(await page.getByRole('navigation', { name: 'Installations' }).getByRole('listitem').count()).toBe(0);
    await shoot('12-removed');

    expect(await status()).toMatchObject({ exists: false, job: null });
    const runs = await sandboxRuns();
    expect(runs).toHaveLength(1);
    expect(runs[0]!.sandbox).toBe(true);
    await openHash('#/history');
    const row = page.locator(`a.run-row[data-run-id="${runs[0]!.runId}"]`);
    await expect.poll(() => row.isVisible(), WORK).toBe(true);
    expect(await row.getByText('Sandbox', { exact: true }).isVisible()).toBe(true);
    expect(pageProblems).toEqual([]);
  }, BUILD.timeout + 30_000);
});
