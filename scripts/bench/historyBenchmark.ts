// `npm run bench:history [-- --runs 10000] [--repeat 5] [--home DIR]`: how the history holds up at 10,000
// runs (issue 10 §3). Seeds a throwaway data directory with realistic runs through the core's
// RunStore (tests/harness/runHistorySeed.ts: several replicas, a dozen steps, captured
// values and logs each), then prints
//   - `replica-desk runs list --json` of every run: wall time (target < 1 s) and the CLI's
//     peak RSS (GNU time), best and median of --repeat runs; and a first page (--limit 100);
//     and the CLI's start-up alone (`replica-desk --version`), which every list includes;
//   - the History view's first screen in Chromium (the built renderer on the test bridge, over
//     the seeded data): from navigation to the first run rows in the DOM (target < 300 ms),
//     best and median, each in a fresh page.
// A benchmark, not a test: it prints figures and checks only that every run was listed.
// Needs `npm run build` first (out/main/cli.js and out/renderer). Run by jiti, not scripts/run-ts.mjs:
// the test bridge loads the whole core, and ssh2's named exports do not load from an ES module bundle.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { RENDERER_DIR, startBridge } from '../../tests/e2e/bridge/bridgeServer';
import { launchChromium } from '../../tests/e2e/bridge/browser';
import { seedRunHistory } from '../../tests/harness/runHistorySeed';

const projectRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
const bin = join(projectRoot, 'bin', 'replica-desk.js');

const log = (text: string): void => void process.stderr.write(`[bench] ${text}\n`);
const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const figures = (values: number[], unit: string, digits = 0) => `best ${Math.min(...values).toFixed(digits)} ${unit}, median ${median(values).toFixed(digits)} ${unit}`;

interface Listed {
  ms: number;
  /** User plus system CPU time: less at the mercy of other work than the wall time. */
  cpuMs: number;
  rssMb: number;
  listed: number;
  total: number;
  truncated: boolean;
}

/** One `runs list --json`, timed, under GNU time for its peak RSS. */
function listRuns(home: string, extra: string[]): Listed {
  const rssFile = join(home, 'peak-rss-kb');
  const started = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%M %U %S', '-o', rssFile, process.execPath, bin, 'runs', 'list', '--json', ...extra], {
    env: { ...process.env, REPLICA_DESK_HOME: home },
    maxBuffer: 1024 * 1024 * 1024,
    encoding: 'utf8',
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== 0) throw new Error(`runs list failed (${r.status}): ${r.stderr}`);
  const page = JSON.parse(r.stdout) as { runs: unknown[]; total: number; truncated: boolean };
  const [rssKb, user, system] = (readFileSync(rssFile, 'utf8').trim().split('\n').pop() ?? '').split(' ').map(Number);
  return { ms, cpuMs: (user! + system!) * 1000, rssMb: rssKb! / 1024, listed: page.runs.length, total: page.total, truncated: page.truncated };
}

/** `replica-desk --version`, timed: the CLI's start-up alone (Node, the CLI bundle), which every list pays. */
function startUp(): { ms: number; cpuMs: number } {
  const times = join(tmpdir(), `replica-desk-bench-startup-${process.pid}`);
  const started = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%U %S', '-o', times, process.execPath, bin, '--version'], { encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== 0) throw new Error(`replica-desk --version failed (${r.status}): ${r.stderr}`);
  const [user, system] = (readFileSync(times, 'utf8').trim().split('\n').pop() ?? '').split(' ').map(Number);
  rmSync(times, { force: true });
  return { ms, cpuMs: (user! + system!) * 1000 };
}

// Runs in the page before any of its own scripts: notes when the first run row is in the
// DOM, in ms since navigation started (performance.now()'s origin).
// Also when the scripts have loaded (DOMContentLoaded) and the History page showed (its
// header, before any run arrived): where the time goes.
const FIRST_ROW_PROBE = `
  document.addEventListener('DOMContentLoaded', () => { window.__domMs = performance.now(); });
  new MutationObserver((_, observer) => {
    if (window.__pageMs === undefined && document.querySelector('.history-page')) window.__pageMs = performance.now();
    if (document.querySelector('.run-list a.run-row')) {
      window.__firstRowMs = performance.now();
      observer.disconnect();
    }
  }).observe(document, { childList: true, subtree: true });
`;

async function firstScreen(home: string, repeat: number): Promise<number[]> {
  const bridge = await startBridge({ home });
  const browser = await launchChromium();
  try {
    const times: number[] = [];
    // The first load warms the bridge and Chromium's caches; it is not counted.
    for (let i = 0; i <= repeat; i++) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
      await page.addInitScript(FIRST_ROW_PROBE);
      await page.goto(`${bridge.url}#/history`);
      await page.locator('.run-list a.run-row').first().waitFor({ timeout: 60_000 });
      const [ms, domMs, pageMs] = (await page.evaluate('[window.__firstRowMs, window.__domMs, window.__pageMs]')) as number[];
      const countText = await page.locator('.run-count').textContent();
      if (i > 0) times.push(ms!);
      log(`first screen ${i === 0 ? '(warm-up) ' : ''}${ms!.toFixed(0)} ms (scripts loaded ${domMs?.toFixed(0)} ms, page shown ${pageMs?.toFixed(0)} ms); ${countText ?? ''}`);
      await page.close();
    }
    return times;
  } finally {
    await browser.close();
    await bridge.close();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '10000' }, repeat: { type: 'string', default: '5' }, home: { type: 'string' } } });
  const count = Number(values.runs);
  const repeat = Number(values.repeat);
  if (!(count > 0 && repeat > 0)) throw new Error('--runs and --repeat must be positive numbers');
  if (!existsSync(join(projectRoot, 'out', 'main', 'cli.js')) || !existsSync(join(RENDERER_DIR, 'index.html'))) {
    throw new Error('out/ is not built: run `npm run build` first.');
  }
  // --home DIR: a data directory seeded before (by this script with --home, seeding takes minutes), kept afterwards.
  const home = values.home ?? mkdtempSync(join(tmpdir(), 'replica-desk-bench-history-'));
  try {
    let started = Date.now();
    if (!existsSync(join(home, 'replica-desk.sqlite'))) {
      seedRunHistory({ home, count });
      log(`seeded ${count} runs in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }

    const all: Listed[] = [];
    for (let i = 0; i < repeat; i++) {
      const r = listRuns(home, []);
      if (r.listed !== count || r.total !== count || r.truncated) throw new Error(`runs list --json listed ${r.listed} of ${r.total} (truncated ${r.truncated}), expected all ${count}`);
      log(`runs list --json: ${r.ms.toFixed(0)} ms (CPU ${r.cpuMs.toFixed(0)} ms), ${r.rssMb.toFixed(0)} MB peak RSS`);
      all.push(r);
    }
    const firstPage: Listed[] = [];
    for (let i = 0; i < repeat; i++) firstPage.push(listRuns(home, ['--limit', '100']));
    const startUps = Array.from({ length: repeat }, startUp);

    started = Date.now();
    const screen = await firstScreen(home, repeat);
    log(`browser part took ${((Date.now() - started) / 1000).toFixed(1)} s`);

    console.log(`History benchmark: ${count} seeded runs, ${repeat} repeats (2-core machine; other work running makes these noisy)`);
    console.log(`  runs list --json, all ${count} runs: ${figures(all.map((r) => r.ms), 'ms')} (target < 1000 ms); CPU ${figures(all.map((r) => r.cpuMs), 'ms')}; peak RSS ${figures(all.map((r) => r.rssMb), 'MB')}`);
    console.log(`  runs list --json --limit 100:      ${figures(firstPage.map((r) => r.ms), 'ms')}; CPU ${figures(firstPage.map((r) => r.cpuMs), 'ms')}; peak RSS ${figures(firstPage.map((r) => r.rssMb), 'MB')}`);
    console.log(`  replica-desk --version (start-up): ${figures(startUps.map((r) => r.ms), 'ms')}; CPU ${figures(startUps.map((r) => r.cpuMs), 'ms')}`);
    console.log(`  History view, first screen in Chromium: ${figures(screen, 'ms')} (target < 300 ms), navigation to the first rows`);
  } finally {
    if (!values.home) rmSync(home, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exit(1);
});
