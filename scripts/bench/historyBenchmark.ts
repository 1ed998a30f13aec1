// `npm run bench:history [-- --runs 10000] [--repeat 5] [--home DIR]`: how the history holds up at 10,000
// runs (issue 10 §3). Seeds a throwaway data directory with realistic runs through the core's
// RunStore (tests/harness/runHistorySeed.ts: several replicas, a dozen steps, captured
// values and logs each), then prints
//   - `replica-desk runs list --json` of every run: wall time (target < 1 s) and the CLI's
//     peak RSS (GNU time), best and median of --repeat runs; and a first page (--limit 100);
//     and the CLI's start-up alone (`replica-desk --version`), which every list includes;
//   - the History view's first screen in Chromium (the built renderer on the test bridge, over
//     the seeded data): from navigation to the first run rows in the DOM (target < 300 ms),
//     best and median, each in a fresh page, and where that time goes (historyFirstScreen.ts).
// A benchmark, not a test: it prints figures and checks only that every run was listed.
// Needs `npm run build` first (out/main/cli.js and out/renderer). Run by jiti, not scripts/run-ts.mjs:
// the test bridge loads the whole core, and ssh2's named exports do not load from an ES module bundle.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { RENDERER_DIR } from '../../tests/e2e/bridge/bridgeServer';
import { seedRunHistory } from '../../tests/harness/runHistorySeed';
import { figures } from './figures';
import { firstScreenLines, measureFirstScreen } from './historyFirstScreen';

const projectRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
const bin = join(projectRoot, 'bin', 'replica-desk.js');

const log = (text: string): void => void process.stderr.write(`[bench] ${text}\n`);

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
    const screen = await measureFirstScreen(home, repeat, log);
    log(`browser part took ${((Date.now() - started) / 1000).toFixed(1)} s`);

    console.log(`History benchmark: ${count} seeded runs, ${repeat} repeats (2-core machine; other work running makes these noisy)`);
    console.log(`  runs list --json, all ${count} runs: ${figures(all.map((r) => r.ms), 'ms')} (target < 1000 ms); CPU ${figures(all.map((r) => r.cpuMs), 'ms')}; peak RSS ${figures(all.map((r) => r.rssMb), 'MB')}`);
    console.log(`  runs list --json --limit 100:      ${figures(firstPage.map((r) => r.ms), 'ms')}; CPU ${figures(firstPage.map((r) => r.cpuMs), 'ms')}; peak RSS ${figures(firstPage.map((r) => r.rssMb), 'MB')}`);
    console.log(`  replica-desk --version (start-up): ${figures(startUps.map((r) => r.ms), 'ms')}; CPU ${figures(startUps.map((r) => r.cpuMs), 'ms')}`);
    for (const line of firstScreenLines(screen)) console.log(`  ${line}`);
  } finally {
    if (!values.home) rmSync(home, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exit(1);
});
