// `npm run bench:topology [-- --timeout-ms 3000] [--repeats 10] [--cpu-prof DIR] [--baseline-cli PATH]`: probes 100 servers at once
// with the built CLI and prints how long it took against the target, how many healthy servers
// were reported unreachable per repeat, when the hanging probes ended, and how long the CLI's
// event loop was blocked (issue 10 §2).
//
// Set-up: throwaway clusters (no TLS, so sslmode=prefer meets a server without TLS), each
// holding at most CLUSTER_INSTALLATIONS installations (the harness's clusters take 40
// connections, and all servers are probed at once); 10 installations of 10 servers (a master and 9 replicas) in shared databases; 2 replicas of
// each installation on a host that accepts TCP and never answers (20 in all); every replica
// has an approved stand-in status command (90 in all). Passwords come from a pgpass file, after
// the keychain (a Secret Service under scripts/with-keyring.sh) found no entry; --no-keychain
// leaves the keychain out.
// Target: wall time ≤ 1.2 × timeout + the CLI's start-up (`replica-desk --version`, timed
// separately), and 0 healthy servers reported unreachable in every repeat.
// A benchmark, not a test: it prints figures and fails only when the set-up does.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { TopologyDocument } from '../../src/shared/topology';
import { createContentServer } from '../../tests/harness/coremedia/contentServerDatabase';
import { startCluster, type PgCluster } from '../../tests/harness/postgresCluster';
import { standInStatusCommand } from '../../tests/harness/standInServer';

const projectRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
const bin = join(projectRoot, 'bin', 'replica-desk.js');
const LOOP_FILE_ENV = 'REPLICA_DESK_BENCH_LOOP_FILE';
const INSTALLATIONS = 10;
const SERVERS = 10;
const HANGING_PER_INSTALLATION = 2;
const CLUSTER_INSTALLATIONS = 3;

const log = (text: string): void => void process.stderr.write(`[bench] ${text}\n`);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

interface Timed {
  ms: number;
  stdout: string;
}

/** One CLI build's figures over the repeats. */
interface Series {
  label: string;
  entry: string;
  walls: number[];
  falseAlarms: number[];
  hangingEnds: number[];
  stalls: number[];
  runStalls: number[];
}

/** Runs the CLI (no shell) and times it from spawn to exit. */
function cli(args: string[], env: NodeJS.ProcessEnv, nodeArgs: string[] = [], entry = bin): Promise<Timed> {
  const started = performance.now();
  return new Promise((resolveRun, reject) => {
    execFile(process.execPath, [...nodeArgs, entry, ...args], { env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const ms = performance.now() - started;
      // topology exits non-zero when servers are down; that is the expected picture here.
      if (error && !stdout) return reject(new Error(`replica-desk ${args.join(' ')} failed: ${stderr.trim().slice(-2000)}`));
      resolveRun({ ms, stdout });
    });
  });
}

/** A preload that records the CLI's longest event-loop stall (ms) at exit, in the file named by the env var. */
function writeLoopPreload(): string {
  const dir = join(projectRoot, '.cache', 'bench');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'event-loop-preload.cjs');
  writeFileSync(
    file,
    [
      '// Written by scripts/bench/topologyBenchmark.ts: the longest event-loop delay of the first process.',
      `const file = process.env.${LOOP_FILE_ENV};`,
      `delete process.env.${LOOP_FILE_ENV};`,
      'if (file) {',
      "  const h = require('node:perf_hooks').monitorEventLoopDelay({ resolution: 10 });",
      '  h.enable();',
      '  // A second histogram from the first turn of the event loop on: the stalls of the probe itself, without loading the CLI.',
      "  const run = require('node:perf_hooks').monitorEventLoopDelay({ resolution: 10 });",
      '  setImmediate(() => run.enable());',
      "  process.on('exit', () => require('node:fs').writeFileSync(file, JSON.stringify({ maxMs: h.max / 1e6, p99Ms: h.percentile(99) / 1e6, runMaxMs: run.max / 1e6 })));",
      '}',
      '',
    ].join('\n'),
  );
  return file;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'timeout-ms': { type: 'string', default: '3000' },
      repeats: { type: 'string', default: '10' },
      'no-keychain': { type: 'boolean', default: false },
      // A directory for each repeat's CPU profile (node --cpu-prof) and its topology JSON: where the time goes.
      'cpu-prof': { type: 'string' },
      // Another build's bin/replica-desk.js (e.g. main's), probed in turn with this one: before and after under the same load.
      'baseline-cli': { type: 'string' },
    },
  });
  const timeoutMs = Number(values['timeout-ms']);
  const repeats = Number(values.repeats);
  const dir = mkdtempSync(join(tmpdir(), 'rd-bench-topology-'));
  const clusters: PgCluster[] = [];
  for (let i = 0; i < Math.ceil(INSTALLATIONS / CLUSTER_INSTALLATIONS); i++) clusters.push(await startCluster());
  const hanging = createServer((socket: Socket) => {
    hangingSockets.add(socket);
    socket.on('close', () => hangingSockets.delete(socket));
  });
  const hangingSockets = new Set<Socket>();
  try {
    await new Promise<void>((r) => hanging.listen(0, '127.0.0.1', r));
    const hangingPort = (hanging.address() as { port: number }).port;
    const password = `Pw-${randomBytes(9).toString('base64url')}`;
    const pgpass = join(dir, 'pgpass');
    writeFileSync(pgpass, `127.0.0.1:*:*:*:${password}\n`, { mode: 0o600 });

    log(`creating ${INSTALLATIONS} installations of ${SERVERS} servers (${INSTALLATIONS * HANGING_PER_INSTALLATION} on a host that never answers)`);
    const healthy = new Set<string>();
    const installations = [];
    for (let i = 0; i < INSTALLATIONS; i++) {
      const name = `bench${i}`;
      const database = `topo${i}`;
      const cluster = clusters[Math.floor(i / CLUSTER_INSTALLATIONS)]!;
      const servers = [];
      for (let j = 0; j < SERVERS; j++) {
        const role = j === 0 ? 'master' : 'replica';
        const server = j === 0 ? 'mls' : `rls${j}`;
        const hangs = j > SERVERS - 1 - HANGING_PER_INSTALLATION;
        const user = `cm_${i}_${server}`;
        if (!hangs) {
          await createContentServer(cluster, { layout: 'shared-database', database, role: user, password, serverType: j === 0 ? 'publication' : 'live' });
          healthy.add(`${name}/${server}`);
        }
        servers.push({
          name: server,
          role,
          db: { host: '127.0.0.1', port: hangs ? hangingPort : cluster.port, database, user, sslmode: 'prefer' },
          host: { access: 'local' },
          ...(j === 0 ? {} : { control: { status: standInStatusCommand(join(dir, `standin-${i}-${j}`)) } }),
        });
      }
      installations.push({ name, servers });
    }
    const home = join(dir, 'home');
    const profiles = join(dir, 'profiles.json');
    writeFileSync(profiles, JSON.stringify({ format: 'replica-desk/profiles@1', installations }));
    const { NODE_OPTIONS: _nodeOptions, ...inherited } = process.env;
    // --no-keychain: no D-Bus session, so the keychain fails fast and pgpass answers (as in bench:restore).
    const { DISPLAY: _display, DBUS_SESSION_BUS_ADDRESS: _bus, ...withoutKeychain } = inherited;
    const baseEnv = values['no-keychain'] ? withoutKeychain : inherited;
    const env = { ...baseEnv, PGPASSFILE: pgpass, REPLICA_DESK_HOME: home };
    await cli(['profiles', 'import', profiles, '--approve-commands'], env);

    const startups: number[] = [];
    for (let i = 0; i < 5; i++) startups.push((await cli(['--version'], env)).ms);
    const startup = Math.min(...startups);
    const target = 1.2 * timeoutMs + startup;

    const preload = writeLoopPreload();
    const profDir = values['cpu-prof'] ? resolve(values['cpu-prof']) : undefined;
    if (profDir) mkdirSync(profDir, { recursive: true });
    const series: Series[] = [{ label: 'this build', entry: bin, walls: [], falseAlarms: [], hangingEnds: [], stalls: [], runStalls: [] }];
    if (values['baseline-cli']) series.push({ label: `baseline ${values['baseline-cli']}`, entry: resolve(values['baseline-cli']), walls: [], falseAlarms: [], hangingEnds: [], stalls: [], runStalls: [] });
    for (let r = 1; r <= repeats; r++) {
      for (const [k, one] of series.entries()) {
        const loopFile = join(dir, `loop-${r}-${k}.json`);
        // Node refuses --cpu-prof in NODE_OPTIONS; it goes on the command line.
        const profArgs = profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`, `--cpu-prof-name=topology-${r}-${k}.cpuprofile`] : [];
        const run = await cli(
          ['topology', '--json', '--timeout-ms', String(timeoutMs)],
          { ...env, NODE_OPTIONS: `--require "${preload}"`, [LOOP_FILE_ENV]: loopFile },
          profArgs,
          one.entry,
        );
        if (profDir) writeFileSync(join(profDir, `topology-${r}-${k}.json`), run.stdout);
        const doc = JSON.parse(run.stdout) as TopologyDocument;
        const probes = doc.installations.flatMap((snap) => snap.servers.map((server) => ({ key: `${snap.installation}/${server.name}`, server })));
        if (probes.length !== INSTALLATIONS * SERVERS) throw new Error(`expected ${INSTALLATIONS * SERVERS} servers, got ${probes.length}`);
        const wrong = probes.filter((p) => healthy.has(p.key) && (!p.server.database.reachable || p.server.process.state === 'unknown'));
        const hangingEnd = Math.max(...probes.filter((p) => !healthy.has(p.key)).map((p) => p.server.elapsedMs));
        const slowestHealthy = Math.max(...probes.filter((p) => healthy.has(p.key) && p.server.database.reachable).map((p) => p.server.elapsedMs), 0);
        const loop = JSON.parse(readFileSync(loopFile, 'utf8')) as { maxMs: number; p99Ms: number; runMaxMs: number };
        one.walls.push(run.ms);
        one.falseAlarms.push(wrong.length);
        one.hangingEnds.push(hangingEnd);
        one.stalls.push(loop.maxMs);
        one.runStalls.push(loop.runMaxMs);
        const first = wrong[0]?.server;
        const detail = first ? ` (e.g. ${wrong[0]!.key} after ${first.elapsedMs} ms: ${(first.database.error ?? first.process.error)?.message})` : '';
        console.log(
          `repeat ${String(r).padStart(2)}${series.length > 1 ? ` [${one.label}]` : ''}: wall ${s(run.ms)}  healthy reported unreachable ${wrong.length}${detail}  slowest healthy answer ${s(slowestHealthy)}  hanging probes ended at ${s(hangingEnd)}  event loop max stall ${loop.maxMs.toFixed(0)} ms (p99 ${loop.p99Ms.toFixed(0)} ms; after loading the CLI ${loop.runMaxMs.toFixed(0)} ms)`,
        );
      }
    }
    console.log('');
    console.log(`servers: ${INSTALLATIONS * SERVERS} (${healthy.size} healthy, ${INSTALLATIONS * SERVERS - healthy.size} hanging), status commands: ${INSTALLATIONS * (SERVERS - 1)}, --timeout-ms ${timeoutMs}`);
    console.log(`CLI start-up (replica-desk --version, best of 5): ${s(startup)} (median ${s(median(startups))})`);
    for (const { label, walls, falseAlarms, hangingEnds, stalls, runStalls } of series) {
      if (series.length > 1) console.log(`-- ${label}`);
      console.log(`wall time: best ${s(Math.min(...walls))}, median ${s(median(walls))}, worst ${s(Math.max(...walls))}; target ≤ 1.2 × timeout + start-up = ${s(target)} -> ${Math.max(...walls) <= target ? 'met' : median(walls) <= target ? 'met by the median, not by the worst' : 'MISSED'}`);
      console.log(`healthy servers reported unreachable per repeat: ${falseAlarms.join(', ')} -> ${falseAlarms.every((n) => n === 0) ? 'met' : 'MISSED'}`);
      console.log(`hanging probes ended at (probe's own clock): best ${s(Math.min(...hangingEnds))}, median ${s(median(hangingEnds))}, worst ${s(Math.max(...hangingEnds))}`);
      console.log(`CLI event loop, longest stall: best ${Math.min(...stalls).toFixed(0)} ms, median ${median(stalls).toFixed(0)} ms, worst ${Math.max(...stalls).toFixed(0)} ms`);
      console.log(`  the same after loading the CLI (the probe's own stalls): best ${Math.min(...runStalls).toFixed(0)} ms, median ${median(runStalls).toFixed(0)} ms, worst ${Math.max(...runStalls).toFixed(0)} ms`);
    }
  } finally {
    for (const socket of hangingSockets) socket.destroy();
    await new Promise((r) => hanging.close(r));
    for (const cluster of clusters) await cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
