// Approving control commands in the app, end to end: the built renderer in Chromium, bridged
// to the real core; the main process's confirmation (a native dialog in Electron) is the
// bridge's scripted stand-in, which records what it was shown. An imported status command
// that leaves a marker file is listed for approval, shown as "command not approved" and not
// run by the topology view; a declined prompt approves nothing; a confirmed one approves
// exactly what it showed, and then the probe runs it.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type Locator, type Page } from 'playwright-core';
import { collectPageProblems, launchChromium } from './bridge/browser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrustPrompt } from '../../src/main/ipc/confirmInMain';
import type { ControlCommand } from '../../src/shared/commandApprovals';
import { RENDERER_DIR, startBridge, type Bridge } from './bridge/bridgeServer';
import { closedPort } from '../harness/ports';

const INSTALLATION = `e2e-approve-${randomBytes(3).toString('hex')}`;
let work: string;
let marker: string;
let statusCommand: string;
let bridge: Bridge;
let browser: Browser;
let page: Page;
const prompts: TrustPrompt[] = [];
const answers: boolean[] = [];
const pageProblems: string[] = [];

const dialog = (): Locator => page.getByRole('dialog');
const serverCard = (name: string): Locator => page.getByRole('article', { name: `Server ${name}`, exact: true });
const group = (): Locator => page.getByRole('region', { name: `Installation ${INSTALLATION}`, exact: true });
const details = (server: string): Locator => page.getByRole('complementary', { name: `Details of ${server}`, exact: true });

async function commands(): Promise<ControlCommand[]> {
  const response = await fetch(new URL('api/listCommands', bridge.url), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ ref: INSTALLATION }) });
  const result = (await response.json()) as { ok: true; value: ControlCommand[] };
  return result.value;
}

beforeAll(async () => {
  if (!existsSync(join(RENDERER_DIR, 'index.html'))) throw new Error('The renderer is not built: run `npm run build` first.');
  work = mkdtempSync(join(tmpdir(), 'rd-e2e-approve-'));
  marker = join(work, 'status-ran');
  statusCommand = `touch '${marker}'; exit 1`;
  bridge = await startBridge({
    home: join(work, 'home'),
    env: { ...process.env, PGPASSFILE: join(work, 'no-such-pgpass') },
    confirmInMain: async (prompt) => {
      prompts.push(prompt);
      return answers.shift() ?? false;
    },
  });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  collectPageProblems(page, pageProblems, { console: false });
  await page.goto(bridge.url);
});

afterAll(async () => {
  await browser?.close();
  await bridge?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('approving control commands in the app', () => {
  it('lists the imported commands awaiting approval in the import result', async () => {
    const port = await closedPort();
    const file = join(work, 'profiles.json');
    writeFileSync(
      file,
      JSON.stringify({
        format: 'replica-desk/profiles@1',
        installations: [
          {
            name: INSTALLATION,
            servers: [
              { name: 'mls', role: 'master', db: { host: '127.0.0.1', port, database: 'cm', user: 'cm_master' } },
              { name: 'rls1', role: 'replica', db: { host: '127.0.0.1', port, database: 'cm', user: 'cm_rls1' }, control: { status: statusCommand } },
            ],
          },
        ],
      }),
    );
    const chooser = page.waitForEvent('filechooser');
    await page.getByRole('region', { name: 'Getting started' }).getByRole('button', { name: 'Import profiles…' }).click();
    await (await chooser).setFiles(file);
    const awaiting = dialog().getByRole('list', { name: 'Commands awaiting approval' });
    await expect.poll(() => awaiting.textContent()).toContain(statusCommand);
    expect(await awaiting.textContent()).toContain('command not approved');
    await dialog().getByRole('button', { name: 'Close' }).click();
  });

  it('the topology view does not run it and says "command not approved"', async () => {
    await page.goto(`${bridge.url}#/topology`);
    const node = group().getByRole('button', { name: /^rls1: / });
    await expect.poll(() => node.getAttribute('aria-label'), { timeout: 30_000 }).toContain('command not approved');
    await node.click();
    await expect.poll(() => details('rls1').textContent()).toContain('command not approved');
    expect(existsSync(marker)).toBe(false);
  });

  it('a declined confirmation in main approves nothing; a confirmed one approves what it showed', async () => {
    await page.goto(`${bridge.url}#/installations`);
    const card = serverCard('rls1');
    const section = card.getByRole('region', { name: 'Control commands of rls1' });
    await expect.poll(() => section.textContent()).toContain(statusCommand);
    expect(await section.textContent()).toContain('command not approved');

    answers.push(false);
    await section.getByRole('button', { name: 'Review and approve…' }).click();
    await expect.poll(() => section.textContent()).toContain('Nothing was approved.');
    expect(prompts).toHaveLength(1);
    expect(prompts[0]!.detail).toContain(statusCommand);
    expect(prompts[0]!.detail).toContain(`${INSTALLATION}/rls1 status`);
    expect((await commands()).map((c) => c.approved)).toEqual([false]);

    answers.push(true);
    await section.getByRole('button', { name: 'Review and approve…' }).click();
    await expect.poll(() => section.textContent()).toContain('Approved 1 command.');
    expect(prompts).toHaveLength(2);
    expect((await commands()).map((c) => c.approved)).toEqual([true]);
    expect(await section.getByRole('button', { name: 'Review and approve…' }).count()).toBe(0);
  });

  it('once approved, the probe runs it', async () => {
    await page.goto(`${bridge.url}#/topology`);
    await page.getByRole('button', { name: 'Probe now' }).click();
    const node = group().getByRole('button', { name: /^rls1: / });
    await expect.poll(() => node.getAttribute('aria-label'), { timeout: 30_000 }).toContain('stopped');
    expect(existsSync(marker)).toBe(true);
    expect(pageProblems).toEqual([]);
  });
});
