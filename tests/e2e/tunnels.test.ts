// Databases behind SSH in the app, end to end: the built renderer in Chromium, bridged to the
// real core, two real sshds on loopback (a jump host and a tunnel endpoint) and a real
// PostgreSQL cluster. The admin turns a server's database connection into a two-hop tunnel,
// fetches and pins each hop's host key (the second through the first), saves, and the
// profile carries db.tunnel.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Browser, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProfilesFile } from '../../src/shared/profiles';
import { startSshd, type Sshd } from '../harness/sshd';
import { collectPageProblems, launchChromium } from './bridge/browser';
import { RENDERER_DIR, startBridge, type Bridge } from './bridge/bridgeServer';

const SCREENSHOTS = resolve(__dirname, '../../test-results/screenshots');
const INSTALLATION = `e2e-tunnel-${randomBytes(3).toString('hex')}`;

let work: string;
let jump: Sshd;
let endpoint: Sshd;
let bridge: Bridge;
let browser: Browser;
let page: Page;
const pageProblems: string[] = [];

async function call<T>(op: string, body: unknown): Promise<T> {
  const response = await fetch(new URL(`api/${op}`, bridge.url), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const result = (await response.json()) as { ok: boolean; value?: T; error?: unknown };
  if (!result.ok) throw new Error(`${op} failed: ${JSON.stringify(result.error)}`);
  return result.value as T;
}

async function shoot(name: string): Promise<void> {
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    await page.screenshot({ path: join(SCREENSHOTS, `tunnels-${name}-${colorScheme}.png`), fullPage: false });
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

const serverForm = (n: number): Locator => page.getByRole('region', { name: `Server ${n}`, exact: true });
const serverCard = (name: string): Locator => page.getByRole('article', { name: `Server ${name}`, exact: true });
const hop = (scope: Locator, name: string): Locator => scope.getByRole('group', { name, exact: true });
const field = (scope: Locator, label: string): Locator => scope.getByLabel(label, { exact: true });

/** Fills a hop's fields as an sshd of the harness wants them. */
async function fillHop(scope: Locator, sshd: Sshd): Promise<void> {
  await field(scope, 'Hostname').fill(sshd.host);
  await field(scope, 'Port').fill(String(sshd.port));
  await field(scope, 'User').fill(sshd.user);
  await field(scope, 'Identity file').fill(sshd.identityFile);
}

/** Fetches the hop's host key, checks the fingerprint shown, and trusts it. */
async function fetchAndTrust(scope: Locator, expected: string): Promise<string> {
  await scope.getByRole('button', { name: 'Fetch host key' }).click();
  const review = scope.getByRole('group', { name: 'Fetched host key' });
  await expect.poll(() => review.isVisible(), { timeout: 20_000 }).toBe(true);
  const text = (await review.textContent()) ?? '';
  expect(await review.locator('.host-key-fingerprint code').textContent()).toBe(expected);
  await review.getByRole('button', { name: /trust this key/ }).click();
  await expect.poll(() => field(scope, 'Host key').inputValue()).toBe(expected);
  return text;
}

beforeAll(async () => {
  if (!existsSync(join(RENDERER_DIR, 'index.html'))) throw new Error('The renderer is not built: run `npm run build` first.');
  mkdirSync(SCREENSHOTS, { recursive: true });
  work = mkdtempSync(join(tmpdir(), 'rd-e2e-tunnels-'));
  [jump, endpoint] = await Promise.all([startSshd(), startSshd()]);
  bridge = await startBridge({ home: join(work, 'home'), env: { ...process.env, PGPASSFILE: join(work, 'no-such-pgpass') } });
  await call('saveInstallation', {
    installation: {
      name: INSTALLATION,
      servers: [
        { name: 'mls', role: 'master', db: { host: '127.0.0.1', port: 5432, database: 'cm', user: 'cm_master' } },
        { name: 'rls1', role: 'replica', db: { host: '127.0.0.1', port: 5432, database: 'cm', user: 'cm_rls1' } },
      ],
    },
  });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  collectPageProblems(page, pageProblems);
  await page.goto(bridge.url);
  await page.getByRole('navigation', { name: 'Installations' }).getByText(INSTALLATION).click();
});

afterAll(async () => {
  await browser?.close();
  await bridge?.close();
  await Promise.all([jump?.stop(), endpoint?.stop()]);
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the server editor with an SSH tunnel', () => {
  it('offers the three database connections and validates each hop with the schema', async () => {
    await page.getByRole('button', { name: 'Edit' }).click();
    const rls1 = serverForm(2);
    await field(rls1, 'Database connection').selectOption({ label: "Through the server's SSH host" });
    // Host access is still local: the choice says what it needs.
    await expect.poll(() => rls1.getByRole('alert').allTextContents()).toContainEqual(expect.stringContaining('needs host.access "ssh"'));
    await field(rls1, 'Database connection').selectOption({ label: 'Through an SSH endpoint' });
    const tunnel = hop(rls1, 'Tunnel endpoint');
    await expect.poll(() => tunnel.isVisible()).toBe(true);
    await field(tunnel, 'Port').fill('99999');
    await expect.poll(() => tunnel.getByRole('alert').allTextContents()).toContainEqual(expect.stringContaining('port must be between 1 and 65535'));
    await fillHop(tunnel, endpoint);
    await expect.poll(() => tunnel.getByRole('alert').count()).toBe(0);
  });

  it('adds, orders and removes jump hosts before the endpoint', async () => {
    const rls1 = serverForm(2);
    const jumps = rls1.getByRole('group', { name: 'Jump hosts before the tunnel endpoint', exact: true });
    await jumps.getByRole('button', { name: 'Add jump host' }).click();
    await jumps.getByRole('button', { name: 'Add jump host' }).click();
    const first = hop(jumps, 'Jump host 1 before the tunnel endpoint');
    const second = hop(jumps, 'Jump host 2 before the tunnel endpoint');
    await fillHop(first, jump);
    await field(second, 'Alias').fill('spare-bastion');
    // Moved up, the alias is hop 1; moved back, hop 2 again.
    await second.getByRole('button', { name: 'Move jump host 2 up' }).click();
    await expect.poll(() => field(first, 'Alias').inputValue()).toBe('spare-bastion');
    expect(await field(second, 'Hostname').inputValue()).toBe(jump.host);
    await first.getByRole('button', { name: 'Move jump host 1 down' }).click();
    await expect.poll(() => field(second, 'Alias').inputValue()).toBe('spare-bastion');
    // A hop with neither hostname nor alias is refused on the hop's own field.
    await field(second, 'Alias').fill('');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await expect.poll(() => second.getByRole('alert').allTextContents()).toContainEqual('an SSH hop needs a hostname, or an alias from ~/.ssh/config');
    await second.getByRole('button', { name: 'Remove jump host 2' }).click();
    await expect.poll(() => hop(jumps, 'Jump host 2 before the tunnel endpoint').count()).toBe(0);
  });

  it('fetches the jump host\'s key, then the endpoint\'s through the jump host, and pins both', async () => {
    const rls1 = serverForm(2);
    const first = hop(rls1, 'Jump host 1 before the tunnel endpoint');
    await fetchAndTrust(first, jump.hostKeyFingerprint);

    const tunnel = hop(rls1, 'Tunnel endpoint');
    const accepted = (): number => (readFileSync(jump.logFile, 'utf8').match(/Accepted publickey/g) ?? []).length;
    const before = accepted();
    const review = await fetchAndTrust(tunnel, endpoint.hostKeyFingerprint);
    expect(review).toContain(`${endpoint.host}:${endpoint.port} (through 1 jump host)`);
    await tunnel.scrollIntoViewIfNeeded();
    await shoot('editor-two-hops');
    // Through the jump host: it logged the login the probe made there to reach the endpoint.
    expect(accepted()).toBeGreaterThan(before);
  });

  it('saves the two-hop tunnel: the card shows the route, the export has db.tunnel', async () => {
    await page.getByRole('button', { name: 'Save changes' }).click();
    const card = serverCard('rls1');
    await expect.poll(() => card.textContent()).toContain(`ssh ${jump.user}@${jump.host}:${jump.port}`);
    expect(await card.textContent()).toContain(`ssh ${endpoint.user}@${endpoint.host}:${endpoint.port} → 127.0.0.1:5432`);
    expect(await card.getByText('key not pinned').count()).toBe(0);

    const exported = await call<ProfilesFile>('exportProfiles', {});
    const rls1 = exported.installations.find((i) => i.name === INSTALLATION)?.servers.find((s) => s.name === 'rls1');
    expect(rls1?.db.tunnel).toEqual({
      via: 'ssh',
      hostname: endpoint.host,
      port: endpoint.port,
      user: endpoint.user,
      identityFile: endpoint.identityFile,
      hostKey: endpoint.hostKeyFingerprint,
      jumpHosts: [{ hostname: jump.host, port: jump.port, user: jump.user, identityFile: jump.identityFile, hostKey: jump.hostKeyFingerprint }],
    });

    // Opened again, the form shows what was saved.
    await page.getByRole('button', { name: 'Edit' }).click();
    const form = serverForm(2);
    expect(await field(form, 'Database connection').inputValue()).toBe('ssh');
    expect(await field(hop(form, 'Jump host 1 before the tunnel endpoint'), 'Host key').inputValue()).toBe(jump.hostKeyFingerprint);
    await page.getByRole('button', { name: 'Cancel' }).click();
  });

  it('ran without page errors, console errors or CSP violations', () => {
    expect(pageProblems).toEqual([]);
  });
});
