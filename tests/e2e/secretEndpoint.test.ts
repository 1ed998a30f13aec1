// The server card when a stored password was entered for another endpoint than the one the
// server points at now: the built renderer in Chromium, bridged to the real core and the OS
// keychain. "Use it for the new endpoint" is decided by main's own prompt (the bridge's
// stand-in for the native dialog): a no changes nothing, a yes rebinds.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type Locator, type Page } from 'playwright-core';
import { launchChromium } from './bridge/browser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeytarSecretStore } from '../../src/main/core/secrets/keytarSecretStore';
import { accountFor } from '../../src/main/core/secrets/secretStore';
import type { TrustPrompt } from '../../src/main/ipc/confirmInMain';
import { RENDERER_DIR, startBridge, type Bridge } from './bridge/bridgeServer';

const INSTALLATION = `e2e-bind-${randomBytes(3).toString('hex')}`;
const keychain = new KeytarSecretStore();
const prompts: TrustPrompt[] = [];
const answers: boolean[] = [];

let home: string;
let bridge: Bridge;
let browser: Browser;
let page: Page;

const installation = (host: string) => ({
  name: INSTALLATION,
  servers: [
    { name: 'mls', role: 'master', db: { host: 'db0.example', database: 'cm', user: 'cm_master' } },
    { name: 'rls1', role: 'replica', db: { host, database: 'cm', user: 'cm_rls1' } },
  ],
});

async function call(op: string, body: unknown): Promise<unknown> {
  const response = await fetch(`${bridge.url.replace(/\/$/, '')}/api/${op}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const result = (await response.json()) as { ok: boolean; error?: unknown };
  if (!result.ok) throw new Error(`${op} failed: ${JSON.stringify(result.error)}`);
  return result;
}

const serverCard = (name: string): Locator => page.getByRole('article', { name: `Server ${name}`, exact: true });

beforeAll(async () => {
  if (!existsSync(join(RENDERER_DIR, 'index.html'))) throw new Error('The renderer is not built: run `npm run build` first.');
  home = mkdtempSync(join(tmpdir(), 'rd-e2e-binding-'));
  bridge = await startBridge({
    home,
    env: { ...process.env, PGPASSFILE: join(home, 'no-such-pgpass') },
    confirmInMain: async (prompt) => (prompts.push(prompt), answers.shift() ?? false),
  });
  await call('saveInstallation', { installation: installation('db1.example') });
  await call('setSecret', { ref: { installation: INSTALLATION, server: 'rls1' }, kind: 'db', value: `pw-${randomBytes(6).toString('hex')}` });
  await call('saveInstallation', { previousName: INSTALLATION, installation: installation('db2.example') });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  await page.goto(bridge.url);
  await page.getByRole('navigation', { name: 'Installations' }).getByText(INSTALLATION).click();
});

afterAll(async () => {
  await browser?.close();
  await bridge?.close();
  for (const server of ['mls', 'rls1']) await keychain.delete(accountFor({ installation: INSTALLATION, server }, 'db')).catch(() => false);
  if (home) rmSync(home, { recursive: true, force: true });
});

describe('a password entered for another endpoint, on the server card', () => {
  it('says for which endpoint it was entered and where the server points now', async () => {
    const card = serverCard('rls1');
    const notice = card.locator('.secret-endpoint-changed');
    await expect.poll(() => notice.isVisible()).toBe(true);
    expect(await notice.textContent()).toContain(
      'Password entered for cm_rls1@db1.example:5432/cm; this server now points at cm_rls1@db2.example:5432/cm — re-enter it or use it for the new endpoint.',
    );
    expect(await card.getByText('Entered for another endpoint').isVisible()).toBe(true);
  });

  it('keeps it unbound when main\'s prompt says no, and rebinds when it says yes', async () => {
    const card = serverCard('rls1');
    answers.push(false);
    await card.getByRole('button', { name: 'Use it for the new endpoint' }).click();
    await expect.poll(() => card.getByText('Not confirmed: nothing was changed.').isVisible()).toBe(true);
    expect(prompts).toHaveLength(1);
    expect(prompts[0]!.detail).toContain('Entered for:   cm_rls1@db1.example:5432/cm');
    expect(prompts[0]!.detail).toContain('Points now at: cm_rls1@db2.example:5432/cm');
    expect(await card.locator('.secret-endpoint-changed').isVisible()).toBe(true);

    answers.push(true);
    await card.getByRole('button', { name: 'Use it for the new endpoint' }).click();
    await expect.poll(() => card.getByText('Stored in keychain').isVisible()).toBe(true);
    expect(await card.locator('.secret-endpoint-changed').count()).toBe(0);
    expect(prompts).toHaveLength(2);
  });
});
