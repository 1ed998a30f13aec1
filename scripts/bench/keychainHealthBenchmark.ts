// `npm run bench:keychain-health [-- --repeats 15]`: what the keychain check at start costs
// the CLI (issue 12). Runs `replica-desk profiles list` alternately with the check and with
// it turned off (REPLICA_DESK_NO_KEYCHAIN_CHECK=1), against the keyring scripts/with-keyring.sh
// provides, and prints best and median of each and the difference: the added milliseconds.
// With /usr/bin/time, also the CPU time (user + system, the D-Bus tool included), which a
// loaded machine disturbs less than wall time. Then the check alone in this process
// (checkKeychainHealth, first call and later calls).
// Needs `npm run build`. A benchmark, not a test: it prints figures and fails only when a
// command does.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { checkKeychainHealth } from '../../src/main/core/secrets/keychainHealth';
import { KeytarSecretStore } from '../../src/main/core/secrets/keytarSecretStore';
import { log, requireSuccess, runTimed } from './benchProcess';
import { figures, median } from './figures';

const projectRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
const bin = join(projectRoot, 'bin', 'replica-desk.js');
const TIME = '/usr/bin/time';
const CPU_MARK = 'bench-cpu-seconds ';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { repeats: { type: 'string', default: '15' } } });
  const repeats = Number(values.repeats);
  const home = mkdtempSync(join(tmpdir(), 'rd-bench-keychain-health-'));
  const signal = new AbortController().signal;
  const on: number[] = [];
  const off: number[] = [];
  const cpuOn: number[] = [];
  const cpuOff: number[] = [];
  const withTime = existsSync(TIME);
  try {
    const run = async (checkOff: boolean) => {
      const env = { ...process.env, REPLICA_DESK_HOME: home, ...(checkOff ? { REPLICA_DESK_NO_KEYCHAIN_CHECK: '1' } : {}) };
      const argv = [process.execPath, bin, 'profiles', 'list'];
      const [file, ...args] = withTime ? [TIME, '-f', `${CPU_MARK}%U %S`, ...argv] : argv;
      const finished = requireSuccess('replica-desk profiles list', await runTimed(file!, args, { env, signal }));
      const cpuLine = finished.stderr.split('\n').find((l) => l.startsWith(CPU_MARK));
      const stderr = finished.stderr.split('\n').filter((l) => !l.startsWith(CPU_MARK)).join('\n').trim();
      if (!checkOff && stderr !== '') log(`the check warned: ${stderr}`);
      if (cpuLine) {
        const [user, sys] = cpuLine.slice(CPU_MARK.length).split(' ').map(Number);
        (checkOff ? cpuOff : cpuOn).push(((user ?? 0) + (sys ?? 0)) * 1000);
      }
      (checkOff ? off : on).push(finished.seconds * 1000);
    };
    await run(true); // creates the data directory and warms the file cache
    off.length = 0;
    cpuOff.length = 0;
    for (let i = 0; i < repeats; i += 1) {
      // Alternating, so load from elsewhere on the machine falls on both alike.
      await run(false);
      await run(true);
    }
  } finally {
    rmSync(home, { recursive: true, force: true });
  }

  const inProcess: number[] = [];
  let first = 0;
  for (let i = 0; i < repeats; i += 1) {
    const health = await checkKeychainHealth({ store: new KeytarSecretStore({ lockProbe: null }) });
    if (health.state !== 'ok') log(`the check says ${health.state}: ${health.message}`);
    if (i === 0) first = health.elapsedMs;
    else inProcess.push(health.elapsedMs);
  }

  const lines = [
    `keychain check at start, ${repeats} alternating runs of \`replica-desk profiles list\` (${process.platform})`,
    `  with the check:     ${figures(on, 'ms')}`,
    `  check turned off:   ${figures(off, 'ms')}`,
    `  added (wall):       best ${(Math.min(...on) - Math.min(...off)).toFixed(0)} ms, median ${(median(on) - median(off)).toFixed(0)} ms`,
    ...(cpuOn.length
      ? [
          `  CPU with / without: ${figures(cpuOn, 'ms')} / ${figures(cpuOff, 'ms')}`,
          `  added (CPU):        best ${(Math.min(...cpuOn) - Math.min(...cpuOff)).toFixed(0)} ms, median ${(median(cpuOn) - median(cpuOff)).toFixed(0)} ms`,
        ]
      : []),
    `checkKeychainHealth in one process: first call ${first} ms (loads keytar), later calls ${inProcess.length ? figures(inProcess, 'ms') : 'n/a'}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench:keychain-health failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
