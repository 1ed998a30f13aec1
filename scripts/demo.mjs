#!/usr/bin/env node
// `npm run demo`: the main job of Replica Desk on the sandbox, with the built CLI as a user
// would run it. Brings the sandbox up, shows its topology (the stale replica flagged), restores
// every replica, shows the topology again (lag 0) with the run summary, then says how to see the
// same in the app and how to tear it down. Each stage prints its own elapsed time.
//
// Plain Node (no TypeScript step), so it works straight after `npm install` (whose prepare
// script builds out/). On headless Linux without a Secret Service the CLI refuses `sandbox up`;
// the demo then runs itself again inside a throwaway keyring (scripts/with-keyring.sh) and,
// because those passwords end with it, tears the sandbox down at its end.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(projectRoot, 'bin', 'replica-desk.js');
export const INSTALLATION = 'sandbox';
/** Set in the demo's second life inside scripts/with-keyring.sh's throwaway keyring. */
export const THROWAWAY_KEYRING_ENV = 'REPLICA_DESK_DEMO_THROWAWAY_KEYRING';

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

/** The `{ ok: false, error }` document a `--json` command prints on failure, or null. */
export function cliErrorOf(stdout) {
  try {
    const doc = JSON.parse(stdout);
    return doc && doc.ok === false && doc.error ? doc.error : null;
  } catch {
    return null;
  }
}

/**
 * Whether a failed `sandbox up` failed because no Secret Service answers (so a throwaway keyring
 * would help): the CLI's `sandbox-keychain` refusal (or a bare keychain error) saying the keychain
 * is unavailable. A locked keychain is the user's to unlock, never worked around.
 */
export function isMissingSecretService(error) {
  if (!error || !/keychain/.test(String(error.code))) return false;
  const text = `${error.code} ${error.message}`;
  return /unavailable|no secret service|not provided by any \.service|autolaunch d-bus/i.test(text) && !/locked/i.test(text);
}

/** Whether scripts/with-keyring.sh can make a throwaway keyring on this machine. */
export function canMakeThrowawayKeyring(platform = process.platform, has = commandExists) {
  return platform === 'linux' && has('dbus-run-session') && has('gnome-keyring-daemon');
}

function commandExists(name) {
  return spawnSync('sh', ['-c', 'command -v "$1"', 'sh', name], { stdio: 'ignore' }).status === 0;
}

const isShared = (server, master) =>
  master && server.connection.host === master.connection.host && server.connection.port === master.connection.port && server.connection.database === master.connection.database;

/** The installation's snapshot from `topology --json` as a compact table; replicas behind the master are flagged. */
export function formatTopology(document, installation = INSTALLATION) {
  const snapshot = (document.installations ?? []).find((i) => i.installation === installation);
  if (!snapshot) throw new StageFailure(`the topology has no installation "${installation}".`);
  const servers = snapshot.servers;
  const master = servers.find((s) => s.role === 'master');
  const head = master?.database?.changelogHead?.sequenceNo ?? null;
  const rows = [['server', 'role', 'database / schema', 'type', 'position', 'lag', 'process']];
  const notes = [];
  for (const s of servers) {
    const where = `${s.connection.database}/${s.connection.schema} :${s.connection.port}`;
    const layout = s.role === 'master' ? '' : isShared(s, master) ? ' (shared db)' : ' (own db)';
    const type = s.database.reachable ? (s.database.serverType ?? '?') : `UNREACHABLE (${s.database.error?.code ?? 'unknown'})`;
    const position = s.role === 'master' ? (head === null ? '-' : `head ${head}`) : (s.position ?? '-');
    const lag = s.role === 'master' ? '' : s.lag === null ? 'unknown' : s.lag;
    const process = s.process.state === 'running' ? 'running' : s.process.state.toUpperCase();
    let mark = '';
    if (s.role === 'replica' && s.lag !== null && BigInt(s.lag) > 0n) {
      mark = `  ◀ LAGGING: ${s.lag} change${s.lag === '1' ? '' : 's'} behind the master`;
      notes.push(s.name);
    } else if (s.role === 'replica' && s.lag === '0') mark = '  ✓ up to date';
    rows.push([s.name, `${s.role}${layout}`, where, type, position, lag, `${process}${mark}`]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const lines = rows.map((r) => `    ${r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ')}`.trimEnd());
  lines.splice(1, 0, `    ${widths.map((w) => '─'.repeat(w)).join('  ')}`);
  for (const f of snapshot.flags) {
    lines.push(`    ${f.severity === 'error' ? '✗' : '!'} ${f.code}: ${f.message}`);
  }
  return { text: lines.join('\n'), lagging: notes, replicas: servers.filter((s) => s.role === 'replica') };
}

/**
 * The lines of `restore`'s progress the demo shows: its mode, each finished step (`[ 3/14] done
 * (1.2 s): …`) and preflight errors. The plan, the running-step lines and the preflight's
 * warnings (a sandbox on loopback is unencrypted by design) stay quiet unless it fails.
 */
export const isRestoreHeadline = (line) =>
  /^\[\s*\d+\/\d+\] (?!.* …$)/.test(line) || /^Mode: /.test(line) || /^Run \S+ started/.test(line) || /^\s+✗ /.test(line);

/** `sandbox up` refused for want of a Secret Service: the demo runs again inside a throwaway keyring. */
class NoSecretService extends Error {
  constructor(result) {
    super('no Secret Service');
    this.result = result;
  }
}

class StageFailure extends Error {
  /** `sandboxStays`: something of the sandbox exists after the failure (the demo says how to look at it and remove it). */
  constructor(message, details = [], sandboxStays = true) {
    super(message);
    this.details = details;
    this.sandboxStays = sandboxStays;
  }
}

/** `sandbox up` refusals that come before anything is made. */
const NOTHING_MADE_CODES = new Set(['sandbox-programs-missing', 'sandbox-keychain', 'sandbox-busy', 'sandbox-in-use', 'conflict', 'usage', 'invalid-input']);

/**
 * Runs the built CLI; stderr lines go to `onStderrLine` as they come. Resolves when the CLI
 * exits (not when every pipe closes: a server process it starts could hold a copy of them).
 */
function runCli(args, { onStderrLine = () => {}, env = process.env } = {}) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: projectRoot, env, stdio: ['ignore', 'pipe', 'pipe'], shell: false });
    let stdout = '';
    let stderr = '';
    let partial = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      stderr += d;
      const lines = (partial + d).split('\n');
      partial = lines.pop();
      for (const line of lines) onStderrLine(line);
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      const finish = () => {
        if (partial) onStderrLine(partial);
        resolvePromise({ code: code ?? (signal ? 128 : 1), signal, stdout, stderr });
      };
      let open = 2;
      const closed = () => (open -= 1) === 0 && finish();
      if (child.stdout.readableEnded) closed();
      else child.stdout.once('end', closed);
      if (child.stderr.readableEnded) closed();
      else child.stderr.once('end', closed);
      setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        if (open > 0) {
          open = -1;
          finish();
        }
      }, 1000).unref();
    });
  });
}

const indent = (line) => process.stderr.write(`    ${line}\n`);

/** The CLI's error and hint from a failed run: the `--json` error document, else its stderr's own lines. */
function errorLines(result) {
  const error = cliErrorOf(result.stdout);
  if (error) return [`replica-desk: ${error.message}`, ...(error.problems ?? []).map((p) => `  ${p.path}: ${p.message}`), ...(error.hint ? [`hint: ${error.hint}`] : [])];
  const lines = result.stderr.trimEnd().split('\n');
  const own = lines.findIndex((l) => l.startsWith('replica-desk: '));
  return own >= 0 ? lines.slice(own) : lines.slice(-30);
}

/** How to run a CLI command from this checkout, with the data directory the demo used. */
function cliCommand(words, env = process.env) {
  const home = env.REPLICA_DESK_HOME ? `REPLICA_DESK_HOME='${env.REPLICA_DESK_HOME}' ` : '';
  return `${home}npx replica-desk ${words}`;
}

async function main(argv) {
  const { values } = parseArgs({ args: argv, options: { size: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, strict: true });
  if (values.help) {
    process.stdout.write('usage: npm run demo [-- --size MB]\n  brings the sandbox up, restores its replicas and shows the topology before and after\n');
    return 0;
  }
  if (!existsSync(join(projectRoot, 'out', 'main', 'cli.js'))) {
    process.stderr.write('demo: the CLI is not built (out/main/cli.js is missing).\nhint: run `npm install` (its prepare script builds it) or `npm run build`, then `npm run demo` again.\n');
    return 1;
  }
  const throwaway = process.env[THROWAWAY_KEYRING_ENV] === '1';
  const sizeArgs = values.size ? ['--size', values.size] : [];
  const started = Date.now();
  const timings = [];
  const stages = ['sandbox up', 'topology before', 'restore every replica', 'topology after', ...(throwaway ? ['sandbox down'] : [])];
  let current = 0;

  const stage = async (fn) => {
    const name = stages[current];
    current += 1;
    process.stderr.write(`\n▶ ${current}/${stages.length} ${name}\n`);
    const t0 = Date.now();
    try {
      const value = await fn();
      const took = Date.now() - t0;
      timings.push([name, took]);
      process.stderr.write(`✓ ${name} (${seconds(took)})\n`);
      return value;
    } catch (e) {
      if (!(e instanceof StageFailure)) throw e;
      process.stderr.write(`\n✗ The demo failed at stage ${current}/${stages.length}, "${name}", after ${seconds(Date.now() - t0)}: ${e.message}\n`);
      for (const line of e.details) process.stderr.write(`  ${line}\n`);
      if (e.sandboxStays) {
        process.stderr.write(`\nWhat the sandbox made so far stays, to look at: \`${cliCommand('sandbox status')}\`; \`${cliCommand('sandbox down')}\` removes it.\n`);
      }
      process.exitCode = 1;
      throw e;
    }
  };

  // Ctrl-C reaches the CLI too (same process group): it cancels cleanly and exits, and the stage
  // then fails with its words. The demo waits for that rather than leave it writing to a closed pipe.
  let interrupts = 0;
  process.on('SIGINT', () => {
    interrupts += 1;
    if (interrupts > 1) process.exit(130);
  });

  process.stderr.write(`Replica Desk demo: the sandbox installation "${INSTALLATION}" on this machine${throwaway ? ', inside a throwaway keyring' : ''}.\n`);
  if (process.env.REPLICA_DESK_HOME) process.stderr.write(`Data directory: ${process.env.REPLICA_DESK_HOME} (REPLICA_DESK_HOME).\n`);

  try {
    await stage(async () => {
      const result = await runCli(['sandbox', 'up', ...sizeArgs, '--json'], { onStderrLine: (l) => !/^(replica-desk|hint): /.test(l) && indent(l) });
      if (result.code === 0) return;
      if (!throwaway && isMissingSecretService(cliErrorOf(result.stdout))) throw new NoSecretService(result);
      const code = cliErrorOf(result.stdout)?.code;
      throw new StageFailure(`\`replica-desk sandbox up\` exited ${result.code}.`, errorLines(result), !NOTHING_MADE_CODES.has(code));
    });

    const showTopology = async () => {
      const result = await runCli(['topology', INSTALLATION, '--json']);
      if (result.code !== 0) throw new StageFailure(`\`replica-desk topology ${INSTALLATION}\` exited ${result.code}.`, errorLines(result));
      const topology = formatTopology(JSON.parse(result.stdout));
      process.stderr.write(`${topology.text}\n`);
      return topology;
    };
    const before = await stage(showTopology);
    if (before.lagging.length === 0) process.stderr.write('    (no replica lags: the sandbox was restored before; the restore runs all the same)\n');

    await stage(async () => {
      const result = await runCli(['restore', INSTALLATION, '--yes'], { onStderrLine: (l) => isRestoreHeadline(l) && indent(l) });
      const summary = result.stdout.trimEnd();
      if (result.code !== 0) {
        throw new StageFailure(`\`replica-desk restore ${INSTALLATION} --yes\` exited ${result.code}.`, [...(summary ? ['', ...summary.split('\n')] : []), '', ...errorLines(result)]);
      }
      process.stderr.write('\n');
      for (const line of summary.split('\n')) indent(line);
    });

    await stage(async () => {
      const after = await showTopology();
      const behind = after.replicas.filter((r) => r.lag !== '0');
      if (behind.length > 0) throw new StageFailure(`after the restore, ${behind.map((r) => `${r.name} has lag ${r.lag ?? 'unknown'}`).join(', ')} (expected 0).`);
    });

    if (throwaway) {
      await stage(async () => {
        const result = await runCli(['sandbox', 'down', '--json'], { onStderrLine: (l) => !/^(replica-desk|hint): /.test(l) && indent(l) });
        if (result.code !== 0) throw new StageFailure('`replica-desk sandbox down` exited ' + result.code + '.', errorLines(result));
      });
    }
  } catch (e) {
    if (e instanceof NoSecretService) return runInThrowawayKeyring(argv, e.result, started);
    if (e instanceof StageFailure) return 1;
    throw e;
  }

  const total = Date.now() - started;
  process.stderr.write(`\nTimings: ${timings.map(([n, t]) => `${n} ${seconds(t)}`).join(' · ')} · total ${seconds(total)}\n\n`);
  if (throwaway) {
    process.stdout.write(
      [
        'The sandbox was torn down again: its passwords lived in a throwaway keyring that ends with this demo.',
        'To keep the sandbox (and open it in the app), start a Secret Service (e.g. GNOME Keyring in a desktop',
        'session, or KeePassXC with its Secret Service integration) and run `npm run demo` again.',
        '',
      ].join('\n'),
    );
  } else {
    process.stdout.write(
      [
        `Done in ${seconds(total)}. The sandbox is still up.`,
        `  See it in the app:  npm start   (the "${INSTALLATION}" installation, its topology, and this run in History)`,
        `  What it runs:       ${cliCommand('sandbox status')}`,
        `  Tear it down:       ${cliCommand('sandbox down')}   (stops and removes everything it made; its runs stay in the history)`,
        '',
      ].join('\n'),
    );
  }
  return 0;
}

/** The demo again, inside scripts/with-keyring.sh's throwaway Secret Service; or the CLI's hint when that cannot be made. */
function runInThrowawayKeyring(argv, failed, started) {
  if (!canMakeThrowawayKeyring()) {
    process.stderr.write(`\n✗ The demo failed at stage 1, "sandbox up": no Secret Service answers on this machine.\n`);
    for (const line of errorLines(failed)) process.stderr.write(`  ${line}\n`);
    if (process.platform === 'linux') {
      process.stderr.write('  The demo can make a throwaway keyring for itself when dbus-run-session and gnome-keyring-daemon are installed\n  (Debian/Ubuntu: apt-get install gnome-keyring dbus-x11 libsecret-tools).\n');
    }
    return 1;
  }
  process.stderr.write(
    [
      '',
      'No Secret Service answers here (a headless machine?), so the sandbox\'s passwords have nowhere to live.',
      'Running the demo again inside a throwaway keyring (scripts/with-keyring.sh: a private D-Bus session with an',
      'unlocked GNOME Keyring). That keyring ends with the demo, so the demo tears the sandbox down at its end.',
      '',
    ].join('\n'),
  );
  const run = spawnSync('bash', [join(projectRoot, 'scripts', 'with-keyring.sh'), process.execPath, fileURLToPath(import.meta.url), ...argv], {
    cwd: projectRoot,
    env: { ...process.env, [THROWAWAY_KEYRING_ENV]: '1' },
    stdio: 'inherit',
  });
  process.stderr.write(`(the demo took ${seconds(Date.now() - started)} in all, with the first attempt and the throwaway keyring's start)\n`);
  return run.status ?? 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = await main(process.argv.slice(2));
}
