// The profiles screen end to end: the built renderer in Chromium, its API bridged over HTTP
// to the real core (SQLite in a temp home, the OS keychain) and a real PostgreSQL cluster
// holding a simulated CoreMedia master and replica. One admin's session, in order.
import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Browser, type Locator, type Page } from 'playwright-core';
import { collectPageProblems, launchChromium } from './bridge/browser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeytarSecretStore } from '../../src/main/core/secrets/keytarSecretStore';
import { accountFor } from '../../src/main/core/secrets/secretStore';
import { createContentServer } from '../harness/coremedia/contentServerDatabase';
import { startCluster, type PgCluster } from '../harness/postgresCluster';
import { RENDERER_DIR, startBridge, type Bridge } from './bridge/bridgeServer';

const SCREENSHOTS = resolve(__dirname, '../../test-results/screenshots');
const INSTALLATION = 'staging-eu';
const masterPassword = `pw-${randomBytes(9).toString('base64url')}`;
const keychain = new KeytarSecretStore();

let home: string;
let cluster: PgCluster;
let bridge: Bridge;
let browser: Browser;
let page: Page;
let serverVersion: string;
const pageProblems: string[] = [];

async function shoot(name: string, { fullPage = true } = {}): Promise<void> {
  // The header and sidebar stick to the viewport; from the top they land where they belong.
  await page.evaluate('window.scrollTo(0, 0)');
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    await page.screenshot({ path: join(SCREENSHOTS, `${name}-${colorScheme}.png`), fullPage });
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

const serverForm = (n: number): Locator => page.getByRole('region', { name: `Server ${n}`, exact: true });
const serverCard = (name: string): Locator => page.getByRole('article', { name: `Server ${name}`, exact: true });
const field = (scope: Locator, label: string): Locator => scope.getByLabel(label, { exact: true });

beforeAll(async () => {
  if (!existsSync(join(RENDERER_DIR, 'index.html'))) {
    throw new Error(`The renderer is not built (${join(RENDERER_DIR, 'index.html')} is missing): run \`npm run build\` first; \`npm test\` builds before testing.`);
  }
  mkdirSync(SCREENSHOTS, { recursive: true });
  home = mkdtempSync(join(tmpdir(), 'rd-e2e-profiles-'));
  cluster = await startCluster();
  await createContentServer(cluster, { layout: 'shared-database', database: 'coremedia', role: 'cm_master', password: masterPassword, serverType: 'publication' });
  await createContentServer(cluster, { layout: 'shared-database', database: 'coremedia', role: 'cm_replication', password: 'unused-here', serverType: 'live' });
  serverVersion = (await cluster.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]?.v ?? '';
  // No pgpass fallback from the machine's own files: the keychain is the only source here.
  bridge = await startBridge({ home, env: { ...process.env, PGPASSFILE: join(home, 'no-such-pgpass') } });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  collectPageProblems(page, pageProblems);
  await page.goto(bridge.url);
});

afterAll(async () => {
  await browser?.close();
  await bridge?.close();
  await cluster?.stop();
  for (const server of ['mls', 'mls-eu', 'rls1']) {
    for (const kind of ['db', 'ssh'] as const) await keychain.delete(accountFor({ installation: INSTALLATION, server }, kind)).catch(() => false);
  }
  if (home) rmSync(home, { recursive: true, force: true });
});

describe('profiles screen', () => {
  it('greets a new user with what to do first', async () => {
    const empty = page.getByRole('region', { name: 'Getting started' });
    await expect.poll(() => empty.isVisible()).toBe(true);
    await expect.poll(() => empty.textContent()).toContain('replica-desk profiles import');
    await shoot('01-empty-state');
  });

  it('creates an installation with a master and a replica, validating as the admin types', async () => {
    await page.getByRole('region', { name: 'Getting started' }).getByRole('button', { name: 'Add installation' }).click();
    await field(page.getByRole('region', { name: 'Installation', exact: true }), 'Installation name').fill(INSTALLATION);
    await field(page.getByRole('region', { name: 'Installation', exact: true }), 'Description').fill('Staging, EU data centre');

    const master = serverForm(1);
    await field(master, 'Server name').fill('mls');
    await field(master, 'Host').fill(cluster.host);
    await field(master, 'Port').fill('99999');
    await expect.poll(() => master.getByRole('alert').allTextContents()).toContain('db.port must be between 1 and 65535');
    await field(master, 'Port').fill(String(cluster.port));
    await expect.poll(() => master.getByRole('alert').count()).toBe(0);
    await field(master, 'Database').fill('coremedia');
    await field(master, 'User').fill('cm_master');

    await page.getByRole('button', { name: 'Add replica' }).click();
    const replica = serverForm(2);
    await field(replica, 'Server name').fill('rls1');
    await field(replica, 'Role').selectOption('master');
    const twoMasters = page.getByRole('region', { name: 'Servers' }).getByRole('alert').filter({ hasText: 'exactly one server with role "master" (found 2)' });
    await expect.poll(() => twoMasters.count()).toBe(1);
    await field(replica, 'Host').fill(cluster.host);
    await field(replica, 'Port').fill('0');
    await field(replica, 'Database').fill('coremedia');
    await field(replica, 'User').fill('cm_replication');
    await field(replica, 'Access').selectOption('ssh');
    await field(replica, 'SSH hostname').fill('rls1.staging.example.com');
    await field(replica, 'SSH user').fill('coremedia');
    await field(replica, 'Stop command').fill('sudo systemctl stop replication-live-server');
    await shoot('02-editor-with-problems');

    await field(replica, 'Role').selectOption('replica');
    await field(replica, 'Port').fill(String(cluster.port));
    await expect.poll(() => twoMasters.count()).toBe(0);
    await page.getByRole('button', { name: 'Create installation' }).click();

    await expect.poll(() => serverCard('rls1').isVisible()).toBe(true);
    await expect.poll(() => serverCard('mls').textContent()).toContain(`${cluster.host}:${cluster.port}/coremedia`);
    await expect.poll(() => serverCard('rls1').textContent()).toContain('SSH coremedia@rls1.staging.example.com:22');
    await expect.poll(() => page.getByRole('navigation', { name: 'Installations' }).textContent()).toContain(INSTALLATION);
  });

  it("shows the core's refusal with its hint and problems", async () => {
    await page.getByRole('navigation', { name: 'Installations' }).getByRole('button', { name: 'Add installation' }).click();
    const installation = page.getByRole('region', { name: 'Installation', exact: true });
    await field(installation, 'Installation name').fill(INSTALLATION.toUpperCase());
    const master = serverForm(1);
    await field(master, 'Server name').fill('mls');
    await field(master, 'Host').fill('db.example.com');
    await field(master, 'Database').fill('coremedia');
    await field(master, 'User').fill('cm_master');
    await page.getByRole('button', { name: 'Create installation' }).click();

    const refusal = page.getByRole('alert').filter({ hasText: 'Could not save the installation' });
    await expect.poll(() => refusal.isVisible()).toBe(true);
    const text = (await refusal.textContent()) ?? '';
    expect(text).toContain(`An installation called "${INSTALLATION}" already exists.`);
    expect(text).toContain('nothing was changed');
    expect(text).toContain('$.name');
    await expect.poll(() => installation.getByRole('alert').textContent()).toContain('is already used');
    await page.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => serverCard('mls').isVisible()).toBe(true);
  });

  it('stores a database password write-only, in the keychain', async () => {
    const card = serverCard('mls');
    const password = field(card, 'Database password');
    await password.fill(masterPassword);
    await card.getByRole('button', { name: 'Store' }).click();
    await expect.poll(() => card.getByText('Stored in keychain').isVisible()).toBe(true);
    expect(await password.inputValue()).toBe('');
    expect((await keychain.get(accountFor({ installation: INSTALLATION, server: 'mls' }, 'db')))?.reveal()).toBe(masterPassword);

    // After a reload the indicator still shows, and the value never comes back.
    await page.reload();
    await expect.poll(() => serverCard('mls').getByText('Stored in keychain').isVisible()).toBe(true);
    expect(await field(serverCard('mls'), 'Database password').inputValue()).toBe('');
    expect(await page.content()).not.toContain(masterPassword);
    // The replica is reached over SSH, so it also offers a passphrase field; nothing is stored for it.
    await expect.poll(() => field(serverCard('rls1'), 'SSH passphrase').isVisible()).toBe(true);
    expect(await serverCard('rls1').getByText('Stored in keychain').count()).toBe(0);
  });

  it('tests connections against real PostgreSQL', async () => {
    const master = serverCard('mls');
    await master.getByRole('button', { name: 'Test connection' }).click();
    const report = master.getByLabel('Connection report');
    await expect.poll(() => report.isVisible()).toBe(true);
    const text = (await report.textContent()) ?? '';
    expect(text).toContain(serverVersion);
    expect(text).toContain('publication');
    expect(text).toContain('the keychain');
    expect(text).toContain('exists');
    // The test cluster has no TLS, so sslmode prefer fell back to plaintext: the report says so.
    expect(await report.getByText('not encrypted', { exact: true }).isVisible()).toBe(true);

    // The replica has no password anywhere: the admin sees what failed and what to do, not a stack.
    const replica = serverCard('rls1');
    await replica.getByRole('button', { name: 'Test connection' }).click();
    const failure = replica.getByRole('alert').filter({ hasText: 'Connection failed' });
    await expect.poll(() => failure.isVisible()).toBe(true);
    const failureText = (await failure.textContent()) ?? '';
    expect(failureText).toMatch(/password/i);
    expect(failureText).not.toMatch(/\n\s+at |node_modules|\.ts:\d+/);
    expect(await failure.locator('.notice-hint').textContent()).toMatch(/\S/);
    await shoot('03-installation-details');
  });

  it('renames a server, and its stored password follows', async () => {
    await page.getByRole('button', { name: 'Edit' }).click();
    await field(serverForm(1), 'Server name').fill('mls-eu');
    await expect.poll(() => serverForm(1).getByText('Renamed from “mls”').isVisible()).toBe(true);
    await page.getByRole('button', { name: 'Save changes' }).click();

    const card = serverCard('mls-eu');
    await expect.poll(() => card.getByText('Stored in keychain').isVisible()).toBe(true);
    expect(await serverCard('mls').count()).toBe(0);
    expect(await keychain.get(accountFor({ installation: INSTALLATION, server: 'mls' }, 'db'))).toBeNull();
    await card.getByRole('button', { name: 'Test connection' }).click();
    await expect.poll(() => card.getByLabel('Connection report').textContent()).toContain('the keychain');
  });

  it('removes a stored password on request', async () => {
    const card = serverCard('mls-eu');
    await card.getByRole('button', { name: 'Remove' }).click();
    await expect.poll(() => card.getByText('Not stored', { exact: true }).isVisible()).toBe(true);
    expect(await keychain.get(accountFor({ installation: INSTALLATION, server: 'mls-eu' }, 'db'))).toBeNull();
  });

  it('deletes the installation only after confirmation', async () => {
    await page.getByRole('button', { name: 'Delete' }).click();
    const dialog = page.getByRole('dialog', { name: `Delete ${INSTALLATION}?` });
    await expect.poll(() => dialog.isVisible()).toBe(true);
    // A modal's backdrop covers the viewport only, so this one is not a full-page capture.
    await shoot('04-delete-confirmation', { fullPage: false });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => dialog.count()).toBe(0);
    expect(await serverCard('mls-eu').isVisible()).toBe(true);

    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete installation' }).click();
    await expect.poll(() => page.getByRole('region', { name: 'Getting started' }).isVisible()).toBe(true);
    expect(await page.getByRole('navigation', { name: 'Installations' }).textContent()).not.toContain(INSTALLATION);
  });

  it('ran without page errors, console errors or CSP violations', () => {
    expect(pageProblems).toEqual([]);
  });
});

/** A GET with the path sent exactly as written (fetch would normalise the dots away). */
function rawGet(path: string): Promise<{ status: number; type: string; csp: string }> {
  const { hostname, port } = new URL(bridge.url);
  return new Promise((done, reject) => {
    const req = httpRequest({ hostname, port, path, method: 'GET' }, (res) => {
      res.resume();
      res.on('end', () => done({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), csp: String(res.headers['content-security-policy'] ?? '') }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('HTTP bridge', () => {
  it('serves the built renderer with content types and the CSP header', async () => {
    const index = await rawGet('/');
    expect(index).toMatchObject({ status: 200, type: 'text/html; charset=utf-8' });
    expect(index.csp).toContain("script-src 'self'");
    const script = /src="\.\/(assets\/[^"]+\.js)"/.exec(await (await fetch(bridge.url)).text())?.[1];
    expect((await rawGet(`/${script}`)).type).toBe('text/javascript; charset=utf-8');
  });

  it('serves nothing outside out/renderer', async () => {
    for (const path of ['/../../package.json', '/..%2f..%2fpackage.json', '/assets/%2e%2e/%2e%2e/%2e%2e/package.json', '/%2e%2e%5c%2e%2e%5cpackage.json']) {
      expect((await rawGet(path)).status, path).toBe(404);
    }
  });

  it('answers only the operations of the shared contract', async () => {
    const unknown = await fetch(new URL('api/runShell', bridge.url), { method: 'POST', body: '{}' });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ ok: false, error: { code: 'unknown-operation' } });
    const listed = await fetch(new URL('api/listInstallations', bridge.url), { method: 'POST', body: '{}' });
    expect(await listed.json()).toEqual({ ok: true, value: [] });
  });
});
