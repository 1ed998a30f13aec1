// `npm run bench:tunnel [-- --sizes 30 --shape media --repeat 3 --timeout-min 30]`: prints how
// long the same restore takes with the databases reached directly and through a two-hop SSH
// tunnel (issue 11), measured in the same run on the same data, and the CLI's peak RSS.
//
// Per size: two throwaway clusters (a generated publication master on A, a stale live replica
// on B, "run" by a stand-in server), and two real sshds on loopback (tests/harness/sshBastion.ts:
// a bastion, and a jump host behind it that may forward only to the two clusters). One data
// directory holds two installations of the same servers: `direct` (the workstation dials the
// databases) and `tunnel` (every database through bastion → jump host, db.tunnel). Then
// `replica-desk restore INST --yes --json` (the default mode) of each, --repeat times,
// alternating which goes first, wall clock and the CLI's peak RSS (a --require'd preload);
// each run's kept schema is discarded after it, so every run starts from the same replica.
// Printed: best and median of each, the ratio of the medians and of the bests, the peak RSS.
// The machine may be shared: the figures say best and median; repeat when they look noisy.
// A benchmark, not a test: it prints figures and asserts only that every run succeeded.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { ContentServerOptions } from '../../tests/harness/coremedia/contentServerDatabase';
import type { PgCluster } from '../../tests/harness/postgresCluster';
import { startSshBastion, type SshBastion } from '../../tests/harness/sshBastion';
import { standInControl, standInStopCommand } from '../../tests/harness/standInServer';
import { figures, median } from './figures';
import { benchSignal, log, parseRepeat, parseSizes, requireSuccess, RSS_FILE_ENV, runTimed, writeRssPreload } from './benchProcess';
import { startBenchData } from './benchData';

const projectRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
const bin = join(projectRoot, 'bin', 'replica-desk.js');
const ROUTES = ['direct', 'tunnel'] as const;
type Route = (typeof ROUTES)[number];
type Shape = NonNullable<ContentServerOptions['shape']>;

interface Run {
  seconds: number;
  /** CLI start-up, preflight (its own tunnels) and plan: from the spawn to the first step's start. */
  beforeStepsS: number;
  /** The run's steps, first start to last end (the run's tunnels opened before them, closed after). */
  stepsS: number;
  peakRssMb: number;
  mode: string;
}

interface SizeFigures {
  sizeMb: number;
  schemaMb: number;
  runs: Record<Route, Run[]>;
}

async function measureSize(sizeMb: number, shape: Shape, repeat: number, preload: string, signal: AbortSignal): Promise<SizeFigures> {
  const data = await startBenchData(sizeMb, shape, signal, 'rd-bench-tunnel-');
  const { dir, a, b, pgpass, env, schemaMb } = data;
  let bastion: SshBastion | null = null;
  const standInDir = join(dir, 'standin-rls1');
  try {
    bastion = await startSshBastion([a, b].map((c) => ({ host: c.host, port: c.port })));
    const standIn = standInControl({ dir: standInDir, db: { host: '127.0.0.1', port: b.port, database: 'cm_rls1', user: 'cm_rls1' }, pgpassFile: pgpass, script: join(projectRoot, 'tests', 'harness', 'standInServerProcess.mjs') });
    requireSuccess('stand-in start', await runTimed('/bin/sh', ['-c', standIn.start], { env, signal }));

    const home = join(dir, 'home');
    const cliEnv = { ...env, REPLICA_DESK_HOME: home };
    const tunnel = bastion.tunnel();
    const server = (route: Route, name: string, role: 'master' | 'replica', cluster: PgCluster, db: string) => ({
      name,
      role,
      db: { host: '127.0.0.1', port: cluster.port, database: db, user: db, sslmode: 'disable', ...(route === 'tunnel' ? { tunnel } : {}) },
      host: { access: 'local' },
      ...(role === 'replica' ? { control: standIn } : {}),
    });
    const profileFile = join(dir, 'profiles.json');
    writeFileSync(
      profileFile,
      JSON.stringify({ format: 'replica-desk/profiles@1', installations: ROUTES.map((route) => ({ name: route, servers: [server(route, 'mls', 'master', a, 'cm_master'), server(route, 'rls1', 'replica', b, 'cm_rls1')] })) }),
    );
    requireSuccess('profiles import', await runTimed(process.execPath, [bin, 'profiles', 'import', profileFile, '--approve-commands'], { env: cliEnv, signal }));

    const restore = async (route: Route): Promise<Run> => {
      const rssFile = join(dir, `cli-peak-rss-kb-${route}`);
      rmSync(rssFile, { force: true });
      const spawnedAt = Date.now();
      const run = requireSuccess(
        `replica-desk restore ${route}`,
        await runTimed(process.execPath, [bin, 'restore', route, '--yes', '--json'], { env: { ...cliEnv, NODE_OPTIONS: `--require "${preload}"`, [RSS_FILE_ENV]: rssFile }, signal }),
      );
      const record = JSON.parse(run.stdout) as { runId: string; status: string; mode: string; message: string | null; steps: Array<{ startedAt: string | null; finishedAt: string | null }> };
      if (record.status !== 'succeeded') throw new Error(`the ${route} run ended ${record.status}: ${record.message ?? ''}`);
      if (!existsSync(rssFile)) throw new Error('the CLI exited without writing its peak RSS (was the preload loaded?)');
      // The next run starts from the same replica: one schema, no kept one, no dump.
      requireSuccess('runs discard', await runTimed(process.execPath, [bin, 'runs', 'discard', record.runId, '--yes'], { env: cliEnv, signal }));
      rmSync(join(home, 'backups'), { recursive: true, force: true });
      log(`${sizeMb} MB: ${route} took ${run.seconds.toFixed(2)} s (${record.mode})`);
      const starts = record.steps.flatMap((st) => (st.startedAt ? [Date.parse(st.startedAt)] : []));
      const ends = record.steps.flatMap((st) => (st.finishedAt ? [Date.parse(st.finishedAt)] : []));
      return { seconds: run.seconds, beforeStepsS: (Math.min(...starts) - spawnedAt) / 1000, stepsS: (Math.max(...ends) - Math.min(...starts)) / 1000, peakRssMb: Number(readFileSync(rssFile, 'utf8')) / 1024, mode: record.mode };
    };
    const runs: Record<Route, Run[]> = { direct: [], tunnel: [] };
    for (let i = 0; i < repeat; i++) for (const route of i % 2 === 0 ? ROUTES : [...ROUTES].reverse()) runs[route].push(await restore(route));
    return { sizeMb, schemaMb, runs };
  } finally {
    await runTimed('/bin/sh', ['-c', standInStopCommand(standInDir)], { signal: new AbortController().signal }).catch(() => undefined);
    await bastion?.stop();
    await data.close();
  }
}

function report(rows: SizeFigures[]): string {
  const lines = ['restore through a two-hop SSH tunnel (bastion → jump host) vs direct, same data, same run:'];
  for (const row of rows) {
    const seconds = (route: Route) => row.runs[route].map((r) => r.seconds);
    const ratioMedian = median(seconds('tunnel')) / median(seconds('direct'));
    const ratioBest = Math.min(...seconds('tunnel')) / Math.min(...seconds('direct'));
    lines.push(
      `  ${row.sizeMb} MB (schema ${row.schemaMb.toFixed(0)} MB, ${row.runs.direct[0]!.mode}, ${row.runs.direct.length} runs each):`,
      `    direct: ${figures(seconds('direct'), 's', 2)}`,
      `    tunnel: ${figures(seconds('tunnel'), 's', 2)}`,
      `    tunnel / direct: ${ratioMedian.toFixed(2)}x (medians), ${ratioBest.toFixed(2)}x (bests)`,
      `    where (medians): start-up + preflight + plan direct ${median(row.runs.direct.map((r) => r.beforeStepsS)).toFixed(2)} s, tunnel ${median(row.runs.tunnel.map((r) => r.beforeStepsS)).toFixed(2)} s; ` +
        `the run's steps direct ${median(row.runs.direct.map((r) => r.stepsS)).toFixed(2)} s, tunnel ${median(row.runs.tunnel.map((r) => r.stepsS)).toFixed(2)} s`,
      `    CLI peak RSS: direct ${figures(row.runs.direct.map((r) => r.peakRssMb), 'MB')}; tunnel ${figures(row.runs.tunnel.map((r) => r.peakRssMb), 'MB')}`,
    );
  }
  return lines.join('\n');
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { sizes: { type: 'string', default: '30' }, shape: { type: 'string', default: 'media' }, repeat: { type: 'string', default: '3' }, 'timeout-min': { type: 'string', default: '30' } },
  });
  const sizes = parseSizes(values.sizes);
  const shape = values.shape as Shape;
  if (shape !== 'media' && shape !== 'text') throw new Error(`--shape takes media or text (got ${values.shape})`);
  const repeat = parseRepeat(values.repeat, 'route');
  if (!existsSync(join(projectRoot, 'out', 'main', 'cli.js'))) throw new Error('out/main/cli.js is missing: run `npm run build` first.');
  const signal = benchSignal(Number(values['timeout-min']));

  log(`${availableParallelism()} cores, sizes ${sizes.join(', ')} MB, ${shape} shape, ${repeat} runs per route`);
  const preload = writeRssPreload();
  const rows: SizeFigures[] = [];
  for (const size of sizes) rows.push(await measureSize(size, shape, repeat, preload, signal));
  console.log(report(rows));
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`tunnel benchmark failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
