// The topology view end to end: the built renderer in Chromium, bridged to the real core,
// against a real installation (two PostgreSQL clusters, a generated master, stand-in
// server processes). rls1 was restored once and then made to lag 7 events behind; rls2
// has no replicator rows. Then the cluster under rls1 goes away.
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Browser, type Locator, type Page } from 'playwright-core';
import { collectPageProblems, launchChromium } from './bridge/browser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/shared/runRecord';
import { assertCliBuilt } from '../harness/cli';
import { startRestoreEnvironment, type RestoreEnvironment } from '../harness/restoreEnvironment';
import { RENDERER_DIR, startBridge, type Bridge } from './bridge/bridgeServer';

const SCREENSHOTS = resolve(__dirname, '../../test-results/screenshots');

let env: RestoreEnvironment;
let bridge: Bridge;
let browser: Browser;
let page: Page;
let restoreRun: RunRecord;
let lagging: string;
let bridgeClosed = false;
const pageProblems: string[] = [];

async function shoot(name: string): Promise<void> {
  await page.evaluate('window.scrollTo(0, 0)');
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    await page.screenshot({ path: join(SCREENSHOTS, `topology-${name}-${colorScheme}.png`), fullPage: true });
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

const group = (): Locator => page.getByRole('region', { name: `Installation ${env.installation}`, exact: true });
const node = (server: string): Locator => group().getByRole('button', { name: new RegExp(`^${server}: `) });
const details = (server: string): Locator => page.getByRole('complementary', { name: `Details of ${server}`, exact: true });
const probedAt = (): Promise<string | null> => group().locator('.topo-probe-time time').getAttribute('datetime');

/** rls1's replicator rows, as a replica that has replicated up to `position` has them. */
async function setRls1Position(position: string, idTag: string): Promise<void> {
  const { cluster, database, schema } = env.replicaCluster('rls1');
  await cluster.query(`DELETE FROM "${schema}".system WHERE property LIKE 'replicator_%'`, [], database);
  for (const [property, content] of [['replicator_remote', position], ['replicator_local', position], ['replicator_tag', idTag]]) {
    await cluster.query(`INSERT INTO "${schema}".system (property, content) VALUES ($1, $2)`, [property, content], database);
  }
}

beforeAll(async () => {
  if (!existsSync(join(RENDERER_DIR, 'index.html'))) throw new Error('The renderer is not built: run `npm run build` first.');
  assertCliBuilt();
  mkdirSync(SCREENSHOTS, { recursive: true });
  env = await startRestoreEnvironment({ withoutSsh: true });
  // A real restore of rls1 puts it in the history the details panel shows.
  const restored = await env.cli(['restore', env.installation, '--replica', 'rls1', '--yes', '--json']);
  if (restored.code !== 0) throw new Error(`restoring rls1 failed: ${restored.stderr}`);
  restoreRun = JSON.parse(restored.stdout) as RunRecord;
  const head = env.master.changelogHead;
  lagging = (BigInt(head.sequenceNo) - 7n).toString();
  await setRls1Position(lagging, head.idTag);

  bridge = await startBridge({ home: env.home, env: { ...process.env, ...env.env } });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  collectPageProblems(page, pageProblems);
  await page.goto(`${bridge.url}#/topology`);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  if (!bridgeClosed) await bridge?.close();
  await env?.stop();
});

/** Opens a server's details; clicking an open one would close it, and a click during a re-render can be lost. */
async function openDetails(server: string): Promise<void> {
  await expect.poll(() => node(server).isVisible()).toBe(true);
  await expect
    .poll(async () => {
      if (!(await details(server).isVisible())) await node(server).click();
      return details(server).isVisible();
    })
    .toBe(true);
}

describe('topology view', () => {
  it('probes on first sight and draws the master with its replicas, rls1 lagging 7 behind', async () => {
    // Never probed before: the view probes at once, and the probe time appears.
    await expect.poll(probedAt, { timeout: 20_000 }).toMatch(/^\d{4}-\d\d-\d\dT/);
    await expect.poll(() => node('rls1').getAttribute('aria-label')).toContain('lagging, lag 7');
    expect(await node('mls').getAttribute('aria-label')).toMatch(/^mls: master, reachable/);
    expect(await group().locator('svg text').filter({ hasText: /^lag 7$/ }).count()).toBe(1);
    // rls2 has no replicator rows: its lag is unknown, and the flag says what to do.
    expect(await node('rls2').getAttribute('aria-label')).toContain('lag unknown');
    const flags = group().getByRole('list', { name: `Flags for ${env.installation}` });
    const noPosition = flags.getByRole('listitem').filter({ hasText: 'no-replicator-position' });
    expect(await noPosition.textContent()).toContain('replica-desk restore INSTALLATION --replica NAME');
    expect(await group().textContent()).toContain('3 of 3 databases reachable');
    await shoot('01-overview');
  });

  it("opens a server's details: connection, last probe, restore history and actions", async () => {
    await openDetails('rls1');
    const panel = details('rls1');
    await expect.poll(() => panel.isVisible()).toBe(true);
    const text = (await panel.textContent()) ?? '';
    expect(text).toContain(`cm_rls1@127.0.0.1:${env.b.port}/cm_rls1`);
    expect(text).toContain('lag 7 events behind');
    expect(text).toContain('Running (control.status exited 0)');
    expect(await panel.getByText('not encrypted', { exact: true }).count()).toBeGreaterThanOrEqual(1);
    expect(await panel.locator('code', { hasText: lagging }).count()).toBeGreaterThanOrEqual(2);

    const history = panel.getByRole('list', { name: 'Restore history of rls1' });
    await expect.poll(() => history.getByRole('listitem').count()).toBe(1);
    expect(await history.textContent()).toContain('succeeded');

    await panel.getByRole('button', { name: 'Test connection' }).click();
    await expect.poll(() => panel.getByLabel('Connection report').textContent()).toContain('live');
    await shoot('02-server-details');

    // The master has no restore action; a replica's leads to the wizard, preselected.
    await openDetails('mls');
    await expect.poll(() => details('mls').isVisible()).toBe(true);
    expect(await details('mls').getByRole('button', { name: /^Restore/ }).count()).toBe(0);
    expect(await details('mls').textContent()).toContain(env.master.changelogHead.sequenceNo);
    await openDetails('rls1');
    await details('rls1').getByRole('button', { name: 'Restore rls1…' }).click();
    await expect.poll(() => decodeURIComponent(new URL(page.url()).hash)).toBe(`#/restore?installation=${env.installation}&replica=rls1`);
    await page.goBack();
    await openDetails('rls1');
    const historyAfterBack = details('rls1').getByRole('list', { name: 'Restore history of rls1' });
    await expect.poll(() => historyAfterBack.getByRole('button').count()).toBe(1);
    await historyAfterBack.getByRole('button').click();
    await expect.poll(() => new URL(page.url()).hash).toBe(`#/history/${restoreRun.runId}`);
    await page.goBack();
    await expect.poll(probedAt).toMatch(/^\d{4}-/);
  });

  it('probes again on demand and shows the new probe time', async () => {
    const before = (await probedAt())!;
    await page.getByRole('button', { name: 'Probe now' }).click();
    await expect.poll(probedAt).not.toBe(before);
    expect(new Date((await probedAt())!).getTime()).toBeGreaterThan(new Date(before).getTime());
    expect(await node('rls1').getAttribute('aria-label')).toContain('lag 7');
  });

  it('shows rls1 unreachable with its hint once its cluster is gone, and keeps its last known state', async () => {
    await env.b.stop();
    await page.getByRole('button', { name: 'Probe now' }).click();
    await expect.poll(() => node('rls1').getAttribute('aria-label'), { timeout: 20_000 }).toMatch(/^rls1: replica, unreachable/);
    const unreachable = group().getByRole('list', { name: `Flags for ${env.installation}` }).getByRole('listitem').filter({ hasText: 'unreachable' });
    expect(await unreachable.count()).toBe(1);
    expect(await unreachable.locator('.topo-flag-hint').textContent()).toMatch(/\S{10}/);
    // The edge says it is unknown now, and what it was when last reachable.
    expect(await group().locator('svg text').filter({ hasText: /^unknown$/ }).count()).toBe(2);
    expect(await group().locator('svg text').filter({ hasText: /^was lag 7$/ }).count()).toBe(1);
    expect(await node('mls').getAttribute('aria-label')).toMatch(/^mls: master, reachable/);

    await openDetails('rls1');
    const lastKnown = details('rls1').getByRole('region', { name: 'Last known state' });
    await expect.poll(() => lastKnown.isVisible()).toBe(true);
    expect(await lastKnown.textContent()).toContain('lag 7 events behind');
    expect(await details('rls1').getByRole('alert').filter({ hasText: 'The database is unreachable' }).count()).toBe(1);
    await shoot('03-replica-unreachable');
  });

  it('shows the cached picture at once after a reload, without probing again', async () => {
    const before = (await probedAt())!;
    await page.reload();
    await expect.poll(probedAt).toBe(before);
    expect(await node('rls1').getAttribute('aria-label')).toMatch(/^rls1: replica, unreachable/);
    expect(await node('mls').getAttribute('aria-label')).toMatch(/^mls: master, reachable/);
    expect(await page.getByRole('button', { name: 'Probe now' }).isEnabled()).toBe(true);
  });

  it('keeps the last known picture, marked so, when the app cannot probe at all', async () => {
    bridgeClosed = true;
    await bridge.close();
    await page.getByRole('button', { name: 'Probe now' }).click();
    const failure = page.getByRole('alert').filter({ hasText: 'The probe failed' });
    await expect.poll(() => failure.isVisible()).toBe(true);
    expect(await failure.locator('.notice-hint').textContent()).toMatch(/\S/);
    expect(await group().getByText('Last known', { exact: true }).isVisible()).toBe(true);
    expect(await node('mls').getAttribute('aria-label')).toMatch(/^mls: master, reachable/);
    expect(await group().locator('svg text').filter({ hasText: /^unknown$/ }).count()).toBe(2);
    await shoot('04-last-known');
  });

  it('ran without page errors, console errors or CSP violations', () => {
    // Once the bridge is gone, Chromium logs the refused requests; that is the scenario, not a fault.
    expect(pageProblems.filter((p) => !(bridgeClosed && /ERR_CONNECTION_REFUSED/.test(p)))).toEqual([]);
  });
});
