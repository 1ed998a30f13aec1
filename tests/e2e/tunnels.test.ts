// Databases behind SSH in the app, end to end: the built renderer in Chromium, bridged to the
// real core, two real sshds on loopback (a jump host and a tunnel endpoint) and a real
// PostgreSQL cluster. The admin turns a replica's database connection into a two-hop tunnel,
// fetches and pins each hop's host key (the second through the first), saves (the profile
// carries db.tunnel), tests the connection hop by hop, sees a wrong key on hop 2 named, and
// the topology shows the route and where it broke.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Browser, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeytarSecretStore } from '../../src/main/core/secrets/keytarSecretStore';
import { accountFor } from '../../src/main/core/secrets/secretStore';
import type { InstallationInput, ProfilesFile } from '../../src/shared/profiles';
import { createContentServer } from '../harness/coremedia/contentServerDatabase';
import { startCluster, type PgCluster } from '../harness/postgresCluster';
import { startSshd, type Sshd } from '../harness/sshd';
import { collectPageProblems, launchChromium } from './bridge/browser';
import { callOperation } from './bridge/callOperation';
import { RENDERER_DIR, startBridge, type Bridge } from './bridge/bridgeServer';

const SCREENSHOTS = resolve(__dirname, '../../test-results/screenshots');
const INSTALLATION = `e2e-tunnel-${randomBytes(3).toString('hex')}`;
const passwords = { cm_master: `pw-${randomBytes(9).toString('base64url')}`, cm_rls1: `pw-${randomBytes(9).toString('base64url')}` };
const keychain = new KeytarSecretStore();

let work: string;
let jump: Sshd;
let endpoint: Sshd;
let cluster: PgCluster;
let bridge: Bridge;
let browser: Browser;
let page: Page;
const pageProblems: string[] = [];

const call = <T>(op: string, request: unknown): Promise<T> => callOperation<T>(bridge, op, request);

async function shoot(name: string): Promise<void> {
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    await page.screenshot({ path: join(SCREENSHOTS, `tunnels-${name}-${colorScheme}.png`), fullPage: false });
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

/** The installation as first saved (both databases direct); `rls1Tunnel` puts rls1 behind SSH. */
function installation(rls1Tunnel?: NonNullable<InstallationInput['servers'][number]['db']['tunnel']>): InstallationInput {
  return {
    name: INSTALLATION,
    servers: [
      { name: 'mls', role: 'master', db: { host: '127.0.0.1', port: cluster.port, database: 'coremedia', user: 'cm_master' } },
      { name: 'rls1', role: 'replica', db: { host: '127.0.0.1', port: cluster.port, database: 'coremedia', user: 'cm_rls1', ...(rls1Tunnel ? { tunnel: rls1Tunnel } : {}) } },
    ],
  };
}

/** rls1's two-hop tunnel as the editor saves it, with the endpoint's key pinned as given. */
const twoHops = (endpointKey: string) => ({
  via: 'ssh' as const,
  hostname: endpoint.host,
  port: endpoint.port,
  user: endpoint.user,
  identityFile: endpoint.identityFile,
  hostKey: endpointKey,
  jumpHosts: [{ hostname: jump.host, port: jump.port, user: jump.user, identityFile: jump.identityFile, hostKey: jump.hostKeyFingerprint }],
});

const acceptedLogins = (sshd: Sshd): number => (readFileSync(sshd.logFile, 'utf8').match(/Accepted publickey/g) ?? []).length;

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
  [jump, endpoint, cluster] = await Promise.all([startSshd(), startSshd(), startCluster()]);
  await createContentServer(cluster, { layout: 'shared-database', database: 'coremedia', role: 'cm_master', password: passwords.cm_master, serverType: 'publication' });
  await createContentServer(cluster, { layout: 'shared-database', database: 'coremedia', role: 'cm_rls1', password: passwords.cm_rls1, serverType: 'live' });
  // No pgpass fallback from the machine's own files, and no ~/.ssh/config: only what the test gives.
  bridge = await startBridge({ home: join(work, 'home'), env: { ...process.env, PGPASSFILE: join(work, 'no-such-pgpass'), HOME: join(work, 'user-home') } });
  await call('saveInstallation', { installation: installation() });
  for (const [server, user] of [['mls', 'cm_master'], ['rls1', 'cm_rls1']] as const) {
    await call('setSecret', { ref: { installation: INSTALLATION, server }, kind: 'db', value: passwords[user] });
  }
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  collectPageProblems(page, pageProblems);
  await page.goto(bridge.url);
  await page.getByRole('navigation', { name: 'Installations' }).getByText(INSTALLATION).click();
});

afterAll(async () => {
  await browser?.close();
  await bridge?.close();
  await Promise.all([jump?.stop(), endpoint?.stop(), cluster?.stop()]);
  for (const server of ['mls', 'rls1']) await keychain.delete(accountFor({ installation: INSTALLATION, server }, 'db')).catch(() => false);
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
    const before = acceptedLogins(jump);
    const review = await fetchAndTrust(tunnel, endpoint.hostKeyFingerprint);
    expect(review).toContain(`${endpoint.host}:${endpoint.port} (through 1 jump host)`);
    await tunnel.scrollIntoViewIfNeeded();
    await shoot('editor-two-hops');
    // Through the jump host: it logged the login the probe made there to reach the endpoint.
    expect(acceptedLogins(jump)).toBeGreaterThan(before);
  });

  it('saves the two-hop tunnel: the card shows the route, the export has db.tunnel', async () => {
    await page.getByRole('button', { name: 'Save changes' }).click();
    const card = serverCard('rls1');
    await expect.poll(() => card.textContent()).toContain(`ssh ${jump.user}@${jump.host}:${jump.port}`);
    expect(await card.textContent()).toContain(`ssh ${endpoint.user}@${endpoint.host}:${endpoint.port} → 127.0.0.1:${cluster.port}`);
    expect(await card.getByText('key not pinned').count()).toBe(0);

    const exported = await call<ProfilesFile>('exportProfiles', {});
    const rls1 = exported.installations.find((i) => i.name === INSTALLATION)?.servers.find((s) => s.name === 'rls1');
    expect(rls1?.db.tunnel).toEqual(twoHops(endpoint.hostKeyFingerprint));

    // Opened again, the form shows what was saved.
    await page.getByRole('button', { name: 'Edit' }).click();
    const form = serverForm(2);
    expect(await field(form, 'Database connection').inputValue()).toBe('ssh');
    expect(await field(hop(form, 'Jump host 1 before the tunnel endpoint'), 'Host key').inputValue()).toBe(jump.hostKeyFingerprint);
    await page.getByRole('button', { name: 'Cancel' }).click();
  });

  it('names the jump host whose key is not the pinned one when fetching the endpoint\'s key through it', async () => {
    await page.getByRole('button', { name: 'Edit' }).click();
    const form = serverForm(2);
    await field(hop(form, 'Jump host 1 before the tunnel endpoint'), 'Host key').fill(endpoint.hostKeyFingerprint);
    const tunnel = hop(form, 'Tunnel endpoint');
    await tunnel.getByRole('button', { name: 'Fetch host key' }).click();
    const failure = tunnel.getByRole('alert').filter({ hasText: 'Could not fetch the host key' });
    await expect.poll(() => failure.isVisible(), { timeout: 20_000 }).toBe(true);
    // The count is of the hops the fetch connects to (the jump hosts; the endpoint is only asked for its key).
    expect(await failure.locator('.notice-title').textContent()).toMatch(/^Could not fetch the host key at hop 1 of [12] \(jump host 1\)$/);
    expect(await failure.textContent()).toContain('host-key-mismatch');
    await page.getByRole('button', { name: 'Cancel' }).click();
  });

  it('offers a passphrase field for each hop of the route', async () => {
    const card = serverCard('rls1');
    await expect.poll(() => card.getByLabel('SSH passphrase (tunnel endpoint)', { exact: true }).isVisible()).toBe(true);
    expect(await card.getByLabel('SSH passphrase (jump host 1 to the tunnel endpoint)', { exact: true }).isVisible()).toBe(true);
    expect(await card.locator('.secret-field-hop').allTextContents()).toEqual([
      `jump host 1 · ${jump.user}@${jump.host}:${jump.port}`,
      `tunnel endpoint · ${endpoint.user}@${endpoint.host}:${endpoint.port}`,
    ]);
  });
});

describe('testing the connection through the tunnel', () => {
  it('reports each hop with its host key, then the database', async () => {
    const card = serverCard('rls1');
    const [jumpLogins, endpointLogins] = [acceptedLogins(jump), acceptedLogins(endpoint)];
    await card.getByRole('button', { name: 'Test connection' }).click();
    const report = card.getByLabel('Connection report');
    await expect.poll(() => report.isVisible(), { timeout: 20_000 }).toBe(true);
    expect(await report.locator('.notice-title').textContent()).toMatch(/through 2 SSH hops$/);
    const hops = report.getByRole('list', { name: 'SSH route' }).getByRole('listitem');
    expect(await hops.count()).toBe(3);
    expect(await hops.nth(0).textContent()).toContain(`jump host 1ssh ${jump.user}@${jump.host}:${jump.port}ok${jump.hostKeyFingerprint}`);
    expect(await hops.nth(1).textContent()).toContain(`tunnel endpointssh ${endpoint.user}@${endpoint.host}:${endpoint.port}ok${endpoint.hostKeyFingerprint}`);
    expect(await hops.nth(2).textContent()).toBe(`database127.0.0.1:${cluster.port}connected`);
    expect(await report.textContent()).toContain('live');
    // Both hops were logged into for this test.
    expect(acceptedLogins(jump)).toBeGreaterThan(jumpLogins);
    expect(acceptedLogins(endpoint)).toBeGreaterThan(endpointLogins);
    await card.scrollIntoViewIfNeeded();
    await shoot('connection-report');
  });

  it('names hop 2 when its host key is not the pinned one, and leaves the database untried', async () => {
    await call('saveInstallation', { previousName: INSTALLATION, installation: installation(twoHops(jump.hostKeyFingerprint)) });
    await page.reload();
    const card = serverCard('rls1');
    await expect.poll(() => card.isVisible()).toBe(true);
    await card.getByRole('button', { name: 'Test connection' }).click();
    const failure = card.getByRole('alert').filter({ hasText: 'Connection failed' });
    await expect.poll(() => failure.isVisible(), { timeout: 20_000 }).toBe(true);
    expect(await failure.locator('.notice-title').textContent()).toBe('Connection failed at hop 2 of 2 (tunnel endpoint)');
    expect(await failure.textContent()).toContain('host-key-mismatch');
    expect(await failure.locator('.notice-hint').textContent()).toMatch(/\S/);
    const hops = card.getByRole('list', { name: 'SSH route' }).getByRole('listitem');
    expect(await hops.allTextContents()).toEqual([
      expect.stringContaining('ok'),
      expect.stringContaining('failed'),
      `database127.0.0.1:${cluster.port}not tried`,
    ]);
    await failure.scrollIntoViewIfNeeded();
    await shoot('connection-hop-2-failed');
  });
});

describe('the topology of a tunnelled replica', () => {
  const group = (): Locator => page.getByRole('region', { name: `Installation ${INSTALLATION}`, exact: true });
  const node = (server: string): Locator => group().getByRole('button', { name: new RegExp(`^${server}: `) });
  const details = (server: string): Locator => page.getByRole('complementary', { name: `Details of ${server}`, exact: true });

  async function openDetails(server: string): Promise<void> {
    await expect
      .poll(async () => {
        if (!(await details(server).isVisible())) await node(server).click();
        return details(server).isVisible();
      })
      .toBe(true);
  }

  it('says where the route broke: hop 2 of 2, the endpoint, its message and hint', async () => {
    // rls1 still pins the jump host's key for the endpoint (the test above).
    await page.goto(`${bridge.url}#/topology`);
    await expect.poll(() => node('rls1').getAttribute('aria-label'), { timeout: 30_000 }).toContain('SSH broke at hop 2 of 2');
    await openDetails('rls1');
    const broke = details('rls1').getByRole('alert').filter({ hasText: 'the SSH route broke' });
    await expect.poll(() => broke.isVisible()).toBe(true);
    expect(await broke.locator('.notice-title').textContent()).toBe('The database is unreachable: the SSH route broke at hop 2 of 2 (tunnel endpoint)');
    expect(await broke.textContent()).toContain(`ssh ${endpoint.user}@${endpoint.host}:${endpoint.port}`);
    expect(await broke.locator('.notice-hint').textContent()).toMatch(/\S/);
    await shoot('topology-break');
  });

  it('shows the route of a reachable tunnelled replica, "via SSH"', async () => {
    await call('saveInstallation', { previousName: INSTALLATION, installation: installation(twoHops(endpoint.hostKeyFingerprint)) });
    await page.getByRole('button', { name: 'Probe now' }).click();
    await expect.poll(() => node('rls1').getAttribute('aria-label'), { timeout: 30_000 }).toMatch(/^rls1: replica, reachable.*, via SSH$/);
    expect(await node('mls').getAttribute('aria-label')).not.toContain('SSH');
    await openDetails('rls1');
    const route = details('rls1').getByLabel(/^Route /);
    await expect.poll(() => route.textContent()).toBe(
      `via SSH ssh ${jump.user}@${jump.host}:${jump.port} → ssh ${endpoint.user}@${endpoint.host}:${endpoint.port} → 127.0.0.1:${cluster.port}`,
    );
    await shoot('topology-route');
  });
});

describe('the page', () => {
  it('opens the profiles format guide from the import area, code spans as code', async () => {
    await page.goto(bridge.url);
    await page.getByRole('navigation', { name: 'Installations' }).getByRole('button', { name: 'Format guide' }).click();
    const dialog = page.getByRole('dialog', { name: 'Format guide: replica-desk/profiles@1' });
    await expect.poll(() => dialog.isVisible()).toBe(true);
    const section = dialog.getByRole('region', { name: 'Database connection through SSH (db.tunnel)' });
    expect(await section.getByRole('listitem').count()).toBeGreaterThanOrEqual(4);
    expect(await section.locator('code').allTextContents()).toContain('db.tunnel');
    expect(await dialog.textContent()).not.toContain('`');
    await shoot('format-guide');
    await dialog.getByRole('button', { name: 'Close' }).click();
    await expect.poll(() => dialog.count()).toBe(0);
  });

  it('ran without page errors, console errors or CSP violations', () => {
    expect(pageProblems).toEqual([]);
  });
});
