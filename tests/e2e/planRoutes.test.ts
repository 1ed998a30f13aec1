// The restore wizard's plan for a replica whose database is reached through SSH: the built
// renderer in Chromium, bridged to the real core, a real installation (two PostgreSQL
// clusters, stand-in servers) with rls1's database behind two real sshds (a jump host and
// a tunnel endpoint). The preflight passes through the tunnel, and the plan names the route
// beside the server and its steps, and in its Markdown export.
import { readFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Browser, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Installation } from '../../src/shared/profiles';
import { startRestoreEnvironment, type RestoreEnvironment } from '../harness/restoreEnvironment';
import { startSshd, type Sshd } from '../harness/sshd';
import { collectPageProblems, launchChromium } from './bridge/browser';
import { callOperation } from './bridge/callOperation';
import { startBridge, type Bridge } from './bridge/bridgeServer';

const SCREENSHOTS = resolve(__dirname, '../../test-results/screenshots');
/** A preflight connects to every server, rls1 through its two hops. */
const WORK = { timeout: 30_000, interval: 100 };

let env: RestoreEnvironment;
let jump: Sshd;
let endpoint: Sshd;
let bridge: Bridge;
let browser: Browser;
let page: Page;
const pageProblems: string[] = [];

const call = <T>(op: string, request: unknown): Promise<T> => callOperation<T>(bridge, op, request);

const region = (name: string): Locator => page.getByRole('region', { name, exact: true });
const ref = (server: string) => `${env.installation}/${server}`;

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  [env, jump, endpoint] = await Promise.all([startRestoreEnvironment({ withoutSsh: true }), startSshd(), startSshd()]);
  bridge = await startBridge({ home: env.home, env: { ...process.env, ...env.env }, confirmInMain: async () => true });
  const [original] = (await call<Installation[]>('listInstallations', {})).filter((i) => i.name === env.installation);
  const tunnel = {
    via: 'ssh' as const,
    hostname: endpoint.host,
    port: endpoint.port,
    user: endpoint.user,
    identityFile: endpoint.identityFile,
    hostKey: endpoint.hostKeyFingerprint,
    jumpHosts: [{ hostname: jump.host, port: jump.port, user: jump.user, identityFile: jump.identityFile, hostKey: jump.hostKeyFingerprint }],
  };
  const tunnelled = { ...original!, servers: original!.servers.map((s) => (s.name === 'rls1' ? { ...s, db: { ...s.db, tunnel } } : s)) };
  await call('saveInstallation', { previousName: env.installation, installation: tunnelled });
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, acceptDownloads: true });
  page = await context.newPage();
  collectPageProblems(page, pageProblems);
  await page.goto(new URL('#/restore', bridge.url).href);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await bridge?.close();
  await Promise.all([env?.stop(), jump?.stop(), endpoint?.stop()]);
});

describe('the restore plan of a tunnelled replica', () => {
  it('names the route beside the server, its steps, and in the Markdown', async () => {
    const choose = region('Choose replicas');
    await expect.poll(() => choose.isVisible(), WORK).toBe(true);
    await choose.getByLabel('rls1', { exact: true }).setChecked(true);
    await choose.getByLabel('rls2', { exact: true }).setChecked(false);
    await choose.getByRole('radio', { name: "In place (vendor's procedure)", exact: true }).check();
    await choose.getByRole('button', { name: 'Run preflight' }).click();
    const report = region('Preflight');
    await expect.poll(async () => (await report.isVisible()) || (await page.getByRole('alert').count()) > 0, WORK).toBe(true);
    expect(await report.textContent()).toContain('Preflight passed');

    await page.getByRole('button', { name: 'Review the plan' }).click();
    const plan = region('Plan');
    await expect.poll(() => plan.isVisible()).toBe(true);
    const route = `ssh ${jump.user}@${jump.host}:${jump.port} → ssh ${endpoint.user}@${endpoint.host}:${endpoint.port} → 127.0.0.1:${env.b.port}`;
    const routes = plan.getByRole('list', { name: 'Database routes' }).getByRole('listitem');
    expect(await routes.allTextContents()).toEqual([`${ref('rls1')} via SSH ${route}`]);
    // Under rls1's phase, where its steps are; the master, reached directly, names none.
    expect(await plan.getByRole('region', { name: ref('rls1') }).locator('.plan-phase-route').textContent()).toBe(`Its database via SSH ${route}`);
    expect(await plan.locator('.plan-phase-route').count()).toBe(1);
    await plan.getByRole('list', { name: 'Database routes' }).scrollIntoViewIfNeeded();
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      await page.screenshot({ path: join(SCREENSHOTS, `tunnels-plan-route-${colorScheme}.png`) });
    }
    await page.emulateMedia({ colorScheme: 'light' });

    const [download] = await Promise.all([page.waitForEvent('download'), plan.getByRole('button', { name: 'Export plan as Markdown' }).click()]);
    expect(readFileSync((await download.path())!, 'utf8')).toContain(`- Database of \`${ref('rls1')}\` through SSH: \`${route}\``);
  });

  it('ran without page errors, console errors or CSP violations', () => {
    expect(pageProblems).toEqual([]);
  });
});
