// Profiles files and SSH trust on first use, end to end: the built renderer in Chromium,
// bridged to the real core (SQLite in a temp home, the OS keychain), a profiles@1 file
// chosen through the file dialog, the export saved as a download, and a real sshd whose
// host key the admin fetches, compares and trusts.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Browser, type Locator, type Page } from 'playwright-core';
import { collectPageProblems, launchChromium } from './bridge/browser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeytarSecretStore } from '../../src/main/core/secrets/keytarSecretStore';
import { accountFor } from '../../src/main/core/secrets/secretStore';
import { startSshd, type Sshd } from '../harness/sshd';
import { RENDERER_DIR, startBridge, type Bridge } from './bridge/bridgeServer';

const SCREENSHOTS = resolve(__dirname, '../../test-results/screenshots');
const INSTALLATION = `e2e-files-${randomBytes(3).toString('hex')}`;
const password = `pw-${randomBytes(9).toString('base64url')}`;
const keychain = new KeytarSecretStore();

let work: string;
let sshd: Sshd;
let bridge: Bridge;
let browser: Browser;
let page: Page;
const pageProblems: string[] = [];

function profilesFile(description: string, rls1Port: unknown = 5433) {
  return {
    format: 'replica-desk/profiles@1',
    installations: [
      {
        name: INSTALLATION,
        description,
        servers: [
          { name: 'mls', role: 'master', db: { host: '127.0.0.1', port: 5432, database: 'coremedia', user: 'cm_master' }, host: { access: 'local' } },
          { name: 'rls1', role: 'replica', db: { host: '127.0.0.1', port: rls1Port, database: 'cm_rls1', user: 'cm_rls1' }, host: { access: 'local' } },
        ],
      },
    ],
  };
}

function writeFile(name: string, content: unknown): string {
  const file = join(work, name);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return file;
}

/** The viewport as the admin sees it; `fromTop` scrolls up first (the header and sidebar stick). */
async function shoot(name: string, { fromTop = true } = {}): Promise<void> {
  if (fromTop) await page.evaluate('window.scrollTo(0, 0)');
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    await page.screenshot({ path: join(SCREENSHOTS, `profiles-${name}-${colorScheme}.png`), fullPage: false });
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

/** Clicks an "Import profiles…" button and picks `file` in the file dialog it opens. */
async function importThrough(scope: Locator, file: string): Promise<void> {
  const chooser = page.waitForEvent('filechooser');
  await scope.getByRole('button', { name: 'Import profiles…' }).click();
  await (await chooser).setFiles(file);
}

const sidebar = (): Locator => page.getByRole('navigation', { name: 'Installations' });
const dialog = (): Locator => page.getByRole('dialog');
const serverCard = (name: string): Locator => page.getByRole('article', { name: `Server ${name}`, exact: true });

beforeAll(async () => {
  if (!existsSync(join(RENDERER_DIR, 'index.html'))) throw new Error('The renderer is not built: run `npm run build` first.');
  mkdirSync(SCREENSHOTS, { recursive: true });
  work = mkdtempSync(join(tmpdir(), 'rd-e2e-files-'));
  sshd = await startSshd();
  bridge = await startBridge({ home: join(work, 'home'), env: { ...process.env, PGPASSFILE: join(work, 'no-such-pgpass') } });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 860 }, acceptDownloads: true });
  collectPageProblems(page, pageProblems);
  await page.goto(bridge.url);
});

afterAll(async () => {
  await browser?.close();
  await bridge?.close();
  await sshd?.stop();
  for (const server of ['mls', 'rls1']) {
    for (const kind of ['db', 'ssh'] as const) await keychain.delete(accountFor({ installation: INSTALLATION, server }, kind)).catch(() => false);
  }
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('profiles files', () => {
  it('imports a profiles@1 file chosen in the file dialog', async () => {
    await importThrough(page.getByRole('region', { name: 'Getting started' }), writeFile('profiles.json', profilesFile('Imported from a file')));
    await expect.poll(() => dialog().getByRole('heading').textContent()).toBe('Imported profiles.json');
    expect(await dialog().textContent()).toContain(`Created “${INSTALLATION}”`);
    await dialog().getByRole('button', { name: 'Close' }).click();
    await expect.poll(() => sidebar().textContent()).toContain(INSTALLATION);
    await expect.poll(() => serverCard('rls1').textContent()).toContain('127.0.0.1:5433/cm_rls1');
  });

  it("lists a bad file's every problem with its JSON path, and changes nothing", async () => {
    const bad = profilesFile('Broken', 99999);
    (bad.installations[0]!.servers[0]!.db as Record<string, unknown>).user = '';
    await importThrough(sidebar(), writeFile('broken.json', bad));
    await expect.poll(() => dialog().getByRole('heading').textContent()).toBe('broken.json was not imported');
    const problems = await dialog().locator('.notice-problems li').allTextContents();
    expect(problems.some((p) => p.startsWith('$.installations[0].servers[1].db.port'))).toBe(true);
    expect(problems.some((p) => p.startsWith('$.installations[0].servers[0].db.user'))).toBe(true);
    expect(await dialog().getByRole('button', { name: 'Replace existing' }).count()).toBe(0);
    await shoot('import-problems');
    await dialog().getByRole('button', { name: 'Close' }).click();
    await expect.poll(() => sidebar().textContent()).toContain('Imported from a file');

    await importThrough(sidebar(), writeFile('notjson.json', '{ "format": "replica-desk/profiles@1", '));
    await expect.poll(() => dialog().textContent()).toContain('not valid JSON');
    await dialog().getByRole('button', { name: 'Close' }).click();
  });

  it('offers to replace installations that already exist', async () => {
    await importThrough(sidebar(), writeFile('profiles.json', profilesFile('Replaced from a file')));
    await expect.poll(() => dialog().textContent()).toContain(`installation "${INSTALLATION}" already exists`);
    expect(await dialog().locator('.notice-problems code').first().textContent()).toBe('$.installations[0].name');
    await dialog().getByRole('button', { name: 'Replace existing' }).click();
    await expect.poll(() => dialog().textContent()).toContain(`Replaced “${INSTALLATION}”`);
    await dialog().getByRole('button', { name: 'Close' }).click();
    await expect.poll(() => sidebar().textContent()).toContain('Replaced from a file');
  });

  it('exports the profiles as a download, without the stored password', async () => {
    const card = serverCard('mls');
    await card.getByLabel('Database password', { exact: true }).fill(password);
    await card.getByRole('button', { name: 'Store' }).click();
    await expect.poll(() => card.getByText('Stored in keychain').isVisible()).toBe(true);

    const download = page.waitForEvent('download');
    await sidebar().getByRole('button', { name: 'Export profiles…' }).click();
    const saved = await download;
    expect(saved.suggestedFilename()).toBe('profiles.json');
    const text = readFileSync((await saved.path())!, 'utf8');
    expect(text).not.toContain(password);
    const exported = JSON.parse(text) as ReturnType<typeof profilesFile>;
    expect(exported.format).toBe('replica-desk/profiles@1');
    expect(exported.installations.map((i) => [i.name, i.description, i.servers.map((s) => s.name)])).toEqual([[INSTALLATION, 'Replaced from a file', ['mls', 'rls1']]]);
    await expect.poll(() => sidebar().getByRole('status').textContent()).toContain('Exported 1 installation');
  });
});

describe('SSH host key trust on first use', () => {
  it('fetches the key a real sshd presents, asks for the comparison, and pins it on trust', async () => {
    await page.getByRole('button', { name: 'Edit' }).click();
    const rls1 = page.getByRole('region', { name: 'Server 2', exact: true });
    await rls1.getByLabel('Access', { exact: true }).selectOption('ssh');
    await rls1.getByLabel('SSH hostname', { exact: true }).fill(sshd.host);
    await rls1.getByLabel('SSH port', { exact: true }).fill(String(sshd.port));
    await rls1.getByLabel('SSH user', { exact: true }).fill(sshd.user);
    // A stale pin: the fetched key must be shown as different from it.
    await rls1.getByLabel('Host key', { exact: true }).fill('SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');

    await rls1.getByRole('button', { name: 'Fetch host key' }).click();
    const review = rls1.getByRole('group', { name: 'Fetched host key' });
    await expect.poll(() => review.isVisible()).toBe(true);
    expect(await review.locator('.host-key-fingerprint code').textContent()).toBe(sshd.hostKeyFingerprint);
    expect(await review.textContent()).toContain('It differs from the pinned key');
    expect(await review.textContent()).toContain('ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub');
    await review.scrollIntoViewIfNeeded();
    await shoot('host-key-review', { fromTop: false });

    await review.getByRole('button', { name: /trust this key/ }).click();
    await expect.poll(() => rls1.getByLabel('Host key', { exact: true }).inputValue()).toBe(sshd.hostKeyFingerprint);
    await expect.poll(() => review.count()).toBe(0);
    await page.getByRole('button', { name: 'Save changes' }).click();
    await expect.poll(() => serverCard('rls1').textContent()).toContain(sshd.hostKeyFingerprint);
    expect(await serverCard('rls1').textContent()).toContain(`SSH ${sshd.user}@${sshd.host}:${sshd.port}`);
  });

  it("says so when the host cannot be reached, with the hint", async () => {
    await page.getByRole('button', { name: 'Edit' }).click();
    const rls1 = page.getByRole('region', { name: 'Server 2', exact: true });
    await rls1.getByLabel('SSH port', { exact: true }).fill('1');
    await rls1.getByRole('button', { name: 'Fetch host key' }).click();
    const failure = rls1.getByRole('alert').filter({ hasText: 'Could not fetch the host key' });
    await expect.poll(() => failure.isVisible(), { timeout: 15_000 }).toBe(true);
    expect(await failure.locator('.notice-hint').textContent()).toMatch(/\S/);
    await page.getByRole('button', { name: 'Cancel' }).click();
  });

  it('ran without page errors, console errors or CSP violations', () => {
    expect(pageProblems).toEqual([]);
  });
});
