// The shell's keychain banner end to end (issue 12): the built renderer in Chromium, bridged
// to the real core and the real keytar. First with no Secret Service to reach (the core's
// D-Bus address names a socket nobody listens on): the banner says what is wrong, what to
// install, and that ~/.pgpass is the fallback; "Check again" asks again; "Dismiss" hides it.
// Then against the working keyring (with-keyring.sh): no banner. The dead bus comes first
// because libsecret keeps the bus it first reaches, and keeps trying until it reaches one.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectPageProblems, launchChromium } from './bridge/browser';
import { startBridge, type Bridge } from './bridge/bridgeServer';

const SCREENSHOTS = resolve(__dirname, '../../test-results/screenshots');

let home: string;
let browser: Browser;
let saved: string | undefined;
const bridges: Bridge[] = [];
const pageProblems: string[] = [];

async function openApp(env: NodeJS.ProcessEnv): Promise<Page> {
  const bridge = await startBridge({ home, env: { ...env, PGPASSFILE: join(home, 'no-such-pgpass') } });
  bridges.push(bridge);
  const page = await browser.newPage({ viewport: { width: 1280, height: 760 } });
  collectPageProblems(page, pageProblems);
  const answered = page.waitForResponse((r) => r.url().endsWith('/api/keychainHealth'));
  await page.goto(bridge.url);
  await answered;
  return page;
}

async function shoot(page: Page, name: string): Promise<void> {
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    await page.screenshot({ path: join(SCREENSHOTS, `${name}-${colorScheme}.png`) });
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  home = mkdtempSync(join(tmpdir(), 'rd-e2e-keychain-banner-'));
  saved = process.env.DBUS_SESSION_BUS_ADDRESS;
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  if (saved === undefined) delete process.env.DBUS_SESSION_BUS_ADDRESS;
  else process.env.DBUS_SESSION_BUS_ADDRESS = saved;
  await browser?.close();
  for (const bridge of bridges) await bridge.close();
  if (home) rmSync(home, { recursive: true, force: true });
});

describe.runIf(process.platform === 'linux')('keychain banner', () => {
  it('with no Secret Service: what is wrong, what to install, the pgpass fallback; Check again; Dismiss', async () => {
    // keytar reads the process's address at its first call; the core's lock question reads the bridge's env.
    const deadBus = `unix:path=${join(home, 'no-such-bus')}`;
    process.env.DBUS_SESSION_BUS_ADDRESS = deadBus;
    const page = await openApp({ ...process.env, DBUS_SESSION_BUS_ADDRESS: deadBus, DISPLAY: '' });

    const banner = page.getByRole('alert').filter({ hasText: 'No keychain answers' });
    await expect.poll(() => banner.isVisible()).toBe(true);
    const text = (await banner.textContent()) ?? '';
    expect(text).toContain('The OS keychain is unavailable');
    expect(text).toContain('apt-get install gnome-keyring');
    expect(text).toContain('~/.pgpass');
    // Over the Installations view's first screen, which still works.
    await expect.poll(() => page.getByRole('region', { name: 'Getting started' }).isVisible()).toBe(true);
    await shoot(page, 'keychain-banner-no-service');

    const again = page.waitForResponse((r) => r.url().endsWith('/api/keychainHealth'));
    await banner.getByRole('button', { name: 'Check again' }).click();
    await again;
    await expect.poll(() => banner.isVisible()).toBe(true);

    await banner.getByRole('button', { name: 'Dismiss' }).click();
    await expect.poll(() => page.getByRole('alert').count()).toBe(0);
    await page.close();
  }, 60_000);

  it('with a working keyring: no banner', async () => {
    if (saved === undefined) delete process.env.DBUS_SESSION_BUS_ADDRESS;
    else process.env.DBUS_SESSION_BUS_ADDRESS = saved;
    const page = await openApp(process.env);
    await expect.poll(() => page.getByRole('region', { name: 'Getting started' }).isVisible()).toBe(true);
    expect(await page.getByRole('alert').count()).toBe(0);
    expect(await page.getByText('No keychain answers').count()).toBe(0);
    await page.close();
  }, 60_000);

  it('the page reported no errors', () => {
    expect(pageProblems).toEqual([]);
  });
});
