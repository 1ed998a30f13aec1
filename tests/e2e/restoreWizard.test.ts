// The restore wizard end to end: the built renderer in Chromium, bridged over HTTP (and
// Server-Sent Events for the run's progress) to the real core, restoring real PostgreSQL
// replicas from a generated 150 MB CoreMedia master. One admin's afternoon, in order: a
// full restore, one with a manual stop, one cancelled during the dump and resumed (all in
// place, the vendor's procedure), one side by side, whose downtime the summary and the
// history's timeline show, and its rollback from the history, after which the kept schema is
// discarded (main's native dialog stands in as a recorded yes).
import { readFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Browser, type Locator, type Page } from 'playwright-core';
import { collectPageProblems, launchChromium } from './bridge/browser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Installation } from '../../src/shared/profiles';
import type { RunRecord } from '../../src/shared/runRecord';
import type { TrustPrompt } from '../../src/main/ipc/confirmInMain';
import { runShell, startRestoreEnvironment, type RestoreEnvironment } from '../harness/restoreEnvironment';
import { startBridge, type Bridge } from './bridge/bridgeServer';

const SCREENSHOTS = resolve(__dirname, '../../test-results/screenshots');
/** A whole restore of 150 MB into two replicas, on two cores, with room to spare. */
const RUN_TIMEOUT = 150_000;
/** For answers that take the core real work (a preflight connects to every server). */
const WORK = { timeout: 30_000, interval: 100 };

let env: RestoreEnvironment;
let bridge: Bridge;
let browser: Browser;
let page: Page;
const pageProblems: string[] = [];
/** What main asked in its native dialog (the stand-in says yes). */
const prompts: TrustPrompt[] = [];

async function shoot(name: string, { fullPage = true } = {}): Promise<void> {
  await page.evaluate('window.scrollTo(0, 0)');
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    await page.screenshot({ path: join(SCREENSHOTS, `restore-${name}-${colorScheme}.png`), fullPage });
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

/** Calls an operation on the bridge directly, as the setup of a scenario (not as the admin). */
async function call<T>(op: string, request: unknown): Promise<T> {
  const response = await fetch(new URL(`api/${op}`, bridge.url), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(request) });
  const result = (await response.json()) as { ok: true; value: T } | { ok: false; error: { message: string } };
  if (!result.ok) throw new Error(`${op}: ${result.error.message}`);
  return result.value;
}

const ref = (server: string) => `${env.installation}/${server}`;
const region = (name: string): Locator => page.getByRole('region', { name, exact: true });
const summary = () => region('Summary');
const replicaOutcome = (server: string) => summary().getByRole('article', { name: `Replica ${ref(server)}` });

async function openWizard(hash = '#/restore'): Promise<void> {
  await page.goto(new URL(hash, bridge.url).href);
  await page.reload();
}

/** The preflight's report, or the error that stopped it, as text (so a failure says why). */
async function preflightOutcome(): Promise<string> {
  const report = region('Preflight');
  const refusal = page.getByRole('alert');
  await expect.poll(async () => (await report.isVisible()) || (await refusal.count()) > 0, WORK).toBe(true);
  return ((await report.isVisible()) ? await report.textContent() : await refusal.first().textContent()) ?? '';
}

const MODE_CHOICE = { automatic: 'Automatic (side-by-side where possible)', 'side-by-side': 'Side by side', 'in-place': "In place (vendor's procedure)" } as const;
const modeRadio = (mode: keyof typeof MODE_CHOICE) => region('Choose replicas').getByRole('radio', { name: MODE_CHOICE[mode], exact: true });

/** Chooses the replicas and the mode, passes the preflight and opens the plan. */
async function reachPlan(replicas: Array<'rls1' | 'rls2'>, mode: keyof typeof MODE_CHOICE = 'in-place'): Promise<Locator> {
  const choose = region('Choose replicas');
  await expect.poll(() => choose.isVisible(), WORK).toBe(true);
  for (const server of ['rls1', 'rls2'] as const) await choose.getByLabel(server, { exact: true }).setChecked(replicas.includes(server));
  await modeRadio(mode).check();
  await choose.getByRole('button', { name: 'Run preflight' }).click();
  expect(await preflightOutcome()).toContain('Preflight passed');
  await page.getByRole('button', { name: 'Review the plan' }).click();
  await expect.poll(() => region('Plan').isVisible()).toBe(true);
  return region('Plan');
}

/** From the plan: types each replica's name and starts the run. */
async function confirmAndStart(replicas: Array<'rls1' | 'rls2'>): Promise<void> {
  await page.getByRole('button', { name: 'Continue to confirmation' }).click();
  for (const server of replicas) await region('Confirm').getByLabel(`Type ${ref(server)} to confirm`).fill(ref(server));
  await page.getByRole('button', { name: 'Start restore' }).click();
}

async function waitForSummary(): Promise<void> {
  await expect.poll(() => summary().isVisible(), { timeout: RUN_TIMEOUT, interval: 250 }).toBe(true);
}

async function newestRun(): Promise<RunRecord> {
  const runs = await call<RunRecord[]>('listRuns', { installation: env.installation, limit: 1 });
  return runs[0]!;
}

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  env = await startRestoreEnvironment({ withoutSsh: true, master: { sizeMb: 150 } });
  bridge = await startBridge({
    home: env.home,
    env: { ...process.env, ...env.env },
    confirmInMain: async (prompt) => {
      prompts.push(prompt);
      return true;
    },
  });
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, acceptDownloads: true });
  page = await context.newPage();
  collectPageProblems(page, pageProblems);
  await openWizard();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await bridge?.close();
  await env?.stop();
});

describe('restore wizard', () => {
  it('restores both replicas: preflight, plan and its Markdown, typed confirmation, live progress, summary', async () => {
    const choose = region('Choose replicas');
    await expect.poll(() => choose.isVisible(), WORK).toBe(true);
    expect(await choose.getByLabel('Installation').inputValue()).toBe(env.installation);
    expect(await choose.getByLabel('rls1', { exact: true }).isChecked()).toBe(true);
    expect(await choose.getByLabel('rls2', { exact: true }).isChecked()).toBe(true);
    // The core chooses unless the admin does; this run is the vendor's procedure.
    expect(await modeRadio('automatic').isChecked()).toBe(true);
    await modeRadio('in-place').check();
    await shoot('01-choose');

    await choose.getByRole('button', { name: 'Run preflight' }).click();
    expect(await preflightOutcome()).toContain('Preflight passed');
    await shoot('02-preflight');

    await page.getByRole('button', { name: 'Review the plan' }).click();
    const plan = region('Plan');
    await expect.poll(() => plan.isVisible()).toBe(true);
    expect(await plan.textContent()).toContain('DROP SCHEMA IF EXISTS "cm_rls1" CASCADE');
    expect(await plan.getByRole('region', { name: 'Mode and downtime' }).textContent()).toContain("Mode: In place (vendor's procedure)");
    expect(await plan.getByRole('listitem', { name: /^Step \d+: Drop the replica schema cm_rls2/ }).getByText('destructive').isVisible()).toBe(true);
    await shoot('03-plan');

    const [download] = await Promise.all([page.waitForEvent('download'), plan.getByRole('button', { name: 'Export plan as Markdown' }).click()]);
    expect(download.suggestedFilename()).toMatch(new RegExp(`^restore-plan-${env.installation}-.+\\.md$`));
    const markdown = readFileSync((await download.path())!, 'utf8');
    expect(markdown.startsWith(`# Restore plan for ${env.installation}\n`)).toBe(true);
    expect(markdown).toContain('## Preflight: passed');
    expect(markdown).toContain('```sql\nDROP SCHEMA IF EXISTS "cm_rls2" CASCADE\n```');
    expect(markdown).toMatch(/### \d+\. Drop the replica schema cm_rls1 .* — \*\*destructive\*\*/);
    expect(markdown).toContain(`\`${ref('rls1')}\`, \`${ref('rls2')}\``);
    expect(markdown).not.toContain(env.password);

    await page.getByRole('button', { name: 'Continue to confirmation' }).click();
    const confirm = region('Confirm');
    const startButton = page.getByRole('button', { name: 'Start restore' });
    await expect.poll(() => confirm.isVisible()).toBe(true);
    expect(await startButton.isDisabled()).toBe(true);
    await confirm.getByLabel(`Type ${ref('rls1')} to confirm`).fill(ref('rls1'));
    await confirm.getByLabel(`Type ${ref('rls2')} to confirm`).fill('rls2');
    await expect.poll(() => confirm.getByText(`does not match ${ref('rls2')}`).isVisible()).toBe(true);
    expect(await startButton.isDisabled()).toBe(true);
    await shoot('04-confirm');
    await confirm.getByLabel(`Type ${ref('rls2')} to confirm`).fill(ref('rls2'));
    await expect.poll(() => startButton.isEnabled()).toBe(true);

    await startButton.click();
    const progress = region('Restore progress');
    // The step list and the log fill from the event stream while the run goes on.
    await expect.poll(() => progress.getByLabel('Backup of the master progress').isVisible(), { timeout: RUN_TIMEOUT }).toBe(true);
    await expect.poll(() => progress.getByRole('region', { name: 'Log' }).textContent(), WORK).toContain('started: Back up the master schema');
    await waitForSummary();

    const run = await newestRun();
    expect(run.status).toBe('succeeded');
    expect(await summary().textContent()).toContain('The restore succeeded');
    for (const server of ['rls1', 'rls2']) {
      const outcome = replicaOutcome(server);
      expect(await outcome.textContent()).toContain('succeeded');
      expect(await outcome.textContent()).toContain(env.master.changelogHead.sequenceNo);
      const checks = outcome.getByRole('list', { name: 'Verification' }).getByRole('listitem');
      expect(await checks.count()).toBeGreaterThanOrEqual(4);
      expect(await checks.filter({ hasText: 'failed' }).count()).toBe(0);
    }
    expect(run.changelog?.sequenceNo).toBe(env.master.changelogHead.sequenceNo);
    expect(await page.content()).not.toContain(env.password);
    await shoot('06-summary');
  }, RUN_TIMEOUT + 60_000);

  it('asks about a replica without a stop command, and goes on once the admin stopped it', async () => {
    const [original] = (await call<Installation[]>('listInstallations', {})).filter((i) => i.name === env.installation);
    const withoutStop = { ...original!, servers: original!.servers.map((s) => (s.name === 'rls1' ? { ...s, control: { start: s.control!.start!, status: s.control!.status! } } : s)) };
    await call('saveInstallation', { previousName: env.installation, installation: withoutStop });
    try {
      await openWizard();
      const plan = await reachPlan(['rls1']);
      const stopStep = plan.getByRole('listitem', { name: /^Step \d+: Stop .*rls1 and prove it stopped/ });
      expect(await stopStep.getByText('manual', { exact: true }).isVisible()).toBe(true);
      expect(await stopStep.textContent()).toContain('no stop command is configured');
      await confirmAndStart(['rls1']);

      const question = page.getByRole('alertdialog', { name: 'Manual step' });
      await expect.poll(() => question.isVisible(), { timeout: RUN_TIMEOUT }).toBe(true);
      expect(await question.textContent()).toMatch(new RegExp(`Stop ${ref('rls1')} now`));
      await shoot('07-manual-step');
      // The admin really stops the server by hand before saying so.
      expect(await runShell(env.control.rls1.stop)).toBe(0);
      await question.getByRole('button', { name: 'Done' }).click();
      await expect.poll(() => question.count(), WORK).toBe(0);
      await waitForSummary();

      const run = await newestRun();
      expect(run.status).toBe('succeeded');
      expect(run.replicas.map((r) => r.replica)).toEqual([ref('rls1')]);
      expect(await replicaOutcome('rls1').textContent()).toContain('succeeded');
      expect(await runShell(env.control.rls1.status)).toBe(0);
    } finally {
      await call('saveInstallation', { previousName: env.installation, installation: original });
      // The stop command is back, and like any new command it needs approval before it runs again.
      expect((await env.cli(['profiles', 'approve', `${env.installation}/rls1`, '--yes'])).code).toBe(0);
    }
  }, RUN_TIMEOUT + 60_000);

  it('cancels during the dump, shows the compensation, and a resume finishes the run', async () => {
    await openWizard();
    await reachPlan(['rls1', 'rls2']);
    await confirmAndStart(['rls1', 'rls2']);

    const progress = region('Restore progress');
    const dump = progress.getByLabel('Backup of the master progress');
    await expect.poll(() => dump.isVisible(), { timeout: RUN_TIMEOUT }).toBe(true);
    // Earlier runs of this installation taught the ETA how fast and how big the dump is.
    await expect.poll(() => dump.textContent(), WORK).toMatch(/earlier run/);
    await shoot('05-progress');

    await progress.getByRole('button', { name: 'Cancel restore' }).click();
    const dialog = page.getByRole('dialog', { name: 'Cancel this restore?' });
    await expect.poll(() => dialog.isVisible()).toBe(true);
    await dialog.getByRole('button', { name: 'Cancel restore' }).click();
    await waitForSummary();

    const cancelled = await newestRun();
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.compensation.length).toBeGreaterThan(0);
    expect(await summary().textContent()).toContain('The restore was cancelled');
    const compensation = summary().getByRole('region', { name: 'Compensation' });
    for (const entry of cancelled.compensation) expect(await compensation.textContent()).toContain(entry.message.replace(/`/g, ''));
    await shoot('08-summary-cancelled');

    // Reopened later (as from the history or the topology view), the run offers Resume.
    await openWizard(`#/restore?resume=${encodeURIComponent(cancelled.runId)}`);
    await expect.poll(() => summary().getByRole('button', { name: 'Resume' }).isVisible(), WORK).toBe(true);
    await summary().getByRole('button', { name: 'Resume' }).click();
    await expect.poll(() => summary().getByText('The restore succeeded').isVisible(), { timeout: RUN_TIMEOUT, interval: 250 }).toBe(true);

    const resumed = await newestRun();
    expect(resumed.runId).toBe(cancelled.runId);
    expect(resumed.status).toBe('succeeded');
    for (const server of ['rls1', 'rls2']) expect(await replicaOutcome(server).textContent()).toContain(env.master.changelogHead.sequenceNo);
    expect(await runShell(env.control.rls1.status)).toBe(0);
    expect(await runShell(env.control.rls2.status)).toBe(0);
  }, RUN_TIMEOUT * 2);

  it('side by side: the plan shows the mode, why, the downtime window and the rename SQL; the summary and the history show the downtime', async () => {
    await openWizard();
    const plan = await reachPlan(['rls1', 'rls2'], 'side-by-side');
    const mode = plan.getByRole('region', { name: 'Mode and downtime' });
    const modeText = (await mode.textContent()) ?? '';
    expect(modeText).toContain('Mode: Side by side');
    // Why, in the core's own words (plan.modeReason).
    expect(modeText).toMatch(/keeps serving|keep serving/);
    for (const server of ['rls1', 'rls2']) {
      // The replica's stop and start are its own steps, after its shadow is ready, not in the master phase.
      const own = plan.getByRole('region', { name: ref(server), exact: true });
      const steps = own.getByRole('listitem', { name: /^Step \d+: / });
      const titles = (await steps.evaluateAll((items) => items.map((i) => i.getAttribute('aria-label') ?? ''))).map((t) => t.replace(/^Step \d+: /, ''));
      expect(titles.findIndex((t) => t.startsWith('Restore the backup into the shadow schema'))).toBeLessThan(titles.findIndex((t) => t.startsWith(`Stop ${ref(server)}`)));
      // The downtime window: from the stop to the start, marked; the shadow restore is not in it.
      const marked = (await own.locator('.plan-step-down').evaluateAll((items) => items.map((i) => i.getAttribute('aria-label') ?? ''))).map((t) => t.replace(/^Step \d+: /, ''));
      expect(marked[0]).toMatch(/^Stop /);
      expect(marked.some((t) => t.startsWith('Swap '))).toBe(true);
      expect(marked.at(-1)).toMatch(/^Start /);
      expect(marked.some((t) => t.startsWith('Restore') || t.startsWith('Verify'))).toBe(false);
      expect(modeText).toMatch(new RegExp(`${ref(server)} is down from step \\d+ \\(its stop\\) to step \\d+ \\(running again\\); the swap is step \\d+`));
      const schema = `cm_${server}`;
      const renames = mode.getByLabel(`Rename SQL for ${server}`);
      expect(await renames.textContent()).toContain(`ALTER SCHEMA "${schema}" RENAME TO "${schema}__rd_prev_<runtag>"`);
      expect(await renames.textContent()).toContain(`ALTER SCHEMA "${schema}__rd_new" RENAME TO "${schema}"`);
    }
    expect(await plan.getByRole('region', { name: 'Back up the master (the replicas keep serving)' }).textContent()).not.toMatch(/Stop .*rls/);
    await shoot('09-plan-side-by-side');

    await confirmAndStart(['rls1', 'rls2']);
    await expect.poll(() => region('Restore progress').isVisible(), WORK).toBe(true);
    await waitForSummary();
    const run = await newestRun();
    expect(run.status).toBe('succeeded');
    expect(run.mode).toBe('side-by-side');
    expect(await summary().textContent()).toContain('Side by side');
    for (const server of ['rls1', 'rls2']) {
      const replica = run.replicas.find((r) => r.replica === ref(server))!;
      expect(replica.downtimeMs).toBeGreaterThan(0);
      expect(replica.keptSchema).toMatch(new RegExp(`^cm_${server}__rd_prev_`));
      const outcome = (await replicaOutcome(server).textContent()) ?? '';
      expect(outcome).toMatch(/Downtime[\d.:]+ (s )?\(stop requested → running again\)/);
      expect(outcome).toContain(`previous schema kept as ${replica.keptSchema}`);
    }
    await shoot('10-summary-side-by-side');

    // The history's run page: the downtime per replica, and the window marked on the timeline.
    await openWizard(`#/history/${encodeURIComponent(run.runId)}`);
    const timeline = page.getByRole('region', { name: 'Timeline' });
    await expect.poll(() => timeline.locator('.timeline-downtime').count(), WORK).toBe(2);
    const labels = await timeline.locator('.timeline-downtime-label').allTextContents();
    expect(labels).toHaveLength(2);
    for (const label of labels) expect(label).toMatch(/^down \d/);
    for (const band of await timeline.locator('rect.timeline-downtime-band').all()) expect(Number(await band.getAttribute('width'))).toBeGreaterThan(0);
    const downtime = page.getByRole('region', { name: 'Downtime', exact: true });
    for (const replica of run.replicas) expect(await downtime.getByRole('row', { name: new RegExp(replica.replica) }).textContent()).toContain(`kept as ${replica.keptSchema}`);
    await shoot('11-history-side-by-side');
  }, RUN_TIMEOUT + 60_000);

  // Rolls back onto what the in-place runs above left (a replica with its replicator rows):
  // run alone, the harness's bare replica schemas would fail the rollback's verification.
  it('rolls the side-by-side run back from the history, live in the run monitor, then discards the kept schema', async () => {
    const restored = (await call<RunRecord[]>('listRuns', { installation: env.installation, limit: 20 })).find((r) => r.mode === 'side-by-side' && r.kind === 'restore' && r.status === 'succeeded')!;
    await openWizard(`#/history/${encodeURIComponent(restored.runId)}`);
    const kept = page.getByRole('region', { name: 'Kept schemas', exact: true });
    await expect.poll(() => kept.getByRole('table', { name: 'Kept schemas' }).isVisible(), WORK).toBe(true);
    for (const replica of restored.replicas) {
      const row = (await kept.getByRole('row', { name: new RegExp(replica.replica) }).textContent()) ?? '';
      expect(row).toContain(replica.kept!.schema);
      expect(row).toMatch(/\d+(\.\d+)? (B|kB|MB|GB)/);
      expect(row).toContain('kept');
    }
    await shoot('12-history-kept');
    await kept.getByRole('link', { name: 'Roll back…' }).click();
    expect(await preflightOutcome()).toContain('Preflight passed');
    await page.getByRole('button', { name: 'Review the plan' }).click();
    const plan = region('Plan');
    await expect.poll(() => plan.isVisible()).toBe(true);
    const mode = (await plan.getByRole('region', { name: 'Mode and downtime' }).textContent()) ?? '';
    expect(mode).toContain(`Rollback of run ${restored.runId}`);
    for (const server of ['rls1', 'rls2']) expect(await plan.getByLabel(`Rename SQL for ${server}`).textContent()).toContain(`ALTER SCHEMA "cm_${server}__rd_prev_`);
    await shoot('13-rollback-plan');
    await confirmAndStart(['rls1', 'rls2']);
    // The run monitor shows it live, then the summary.
    await expect.poll(() => region('Restore progress').isVisible(), WORK).toBe(true);
    await waitForSummary();
    const rollback = await newestRun();
    expect(rollback.status, rollback.message ?? '').toBe('succeeded');
    expect(rollback).toMatchObject({ kind: 'rollback', rollbackOf: restored.runId });
    expect(await summary().textContent()).toContain('The rollback succeeded');
    for (const server of ['rls1', 'rls2']) expect(await runShell(env.control[server as 'rls1' | 'rls2'].status)).toBe(0);
    await shoot('14-rollback-summary');

    // The rolled-back run now says so; the rollback keeps the restored schema, which the admin discards (main asks).
    await openWizard(`#/history/${encodeURIComponent(rollback.runId)}`);
    const keptNow = page.getByRole('region', { name: 'Kept schemas', exact: true });
    await expect.poll(() => keptNow.getByRole('button', { name: 'Discard kept schema…' }).count(), WORK).toBe(2);
    await keptNow.getByRole('button', { name: 'Discard kept schema…' }).first().click();
    // Main asked (the stand-in said yes), the history records the discard, and the page shows it.
    const discarded = async () => (await call<RunRecord>('showRun', { runId: rollback.runId })).replicas.filter((r) => r.kept?.state === 'discarded');
    await expect.poll(async () => (await discarded()).length, WORK).toBe(1);
    expect(prompts).toHaveLength(1);
    expect(prompts[0]!.message).toContain((await discarded())[0]!.kept!.schema);
    await expect.poll(() => keptNow.getByRole('button', { name: 'Discard kept schema…' }).count(), WORK).toBe(1);
    await shoot('15-history-discarded');
  }, RUN_TIMEOUT + 60_000);

  it('streams restore events to browsers over GET /api/events only', async () => {
    const posted = await fetch(new URL('api/events', bridge.url), { method: 'POST', body: '{}' });
    expect(posted.status).toBe(405);
    const stream = new AbortController();
    const listening = await fetch(new URL('api/events', bridge.url), { signal: stream.signal });
    expect(listening.status).toBe(200);
    expect(listening.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    stream.abort();
  });

  it('ran without page errors, console errors or CSP violations', () => {
    expect(pageProblems).toEqual([]);
  });
});
