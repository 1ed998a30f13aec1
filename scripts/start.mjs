#!/usr/bin/env node
// `npm start`: runs the desktop app from this checkout.
//   1. makes sure the Electron binary exists (Electron 45 fetches it on first use, not on
//      npm install), and says plainly why not when it cannot be had;
//   2. builds better-sqlite3 once for Electron's ABI into .cache/electron-native/, because it
//      is not N-API: the Node build in node_modules stays untouched for the tests and the CLI;
//   3. rebuilds out/ when src/ is newer, then runs Electron on this directory.
// `node scripts/start.mjs --check` stops after step 1 and prints the diagnosis.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const requireFromProject = createRequire(join(projectRoot, 'package.json'));

const packageDir = (name) => dirname(requireFromProject.resolve(`${name}/package.json`));
const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));

export const electronPackageDir = () => packageDir('electron');
export const electronVersion = (dir = electronPackageDir()) => readJson(join(dir, 'package.json')).version;

/**
 * Where node_modules/electron/index.js would find the binary, decided the same way (path.txt,
 * ELECTRON_OVERRIDE_DIST_PATH) but without its download-on-require side effect.
 */
export function locateElectronBinary(dir = electronPackageDir(), env = process.env) {
  const pathFile = join(dir, 'path.txt');
  const executable = existsSync(pathFile) ? readFileSync(pathFile, 'utf8') : '';
  if (env.ELECTRON_OVERRIDE_DIST_PATH) {
    const path = join(env.ELECTRON_OVERRIDE_DIST_PATH, executable || 'electron');
    return { path, exists: existsSync(path), source: 'ELECTRON_OVERRIDE_DIST_PATH' };
  }
  if (!executable) return { path: null, exists: false, source: 'not downloaded' };
  const path = join(dir, 'dist', executable);
  return { path, exists: existsSync(path), source: relative(projectRoot, join(dir, 'dist')) };
}

/** Runs Electron's own installer (its `install-electron` bin). Returns its error output on failure. */
export function fetchElectronBinary(dir = electronPackageDir()) {
  const run = spawnSync(process.execPath, [join(dir, 'install.js')], {
    cwd: dir,
    encoding: 'utf8',
    stdio: ['ignore', 'inherit', 'pipe'],
    timeout: 15 * 60_000,
  });
  return { ok: run.status === 0, errorOutput: `${run.stderr ?? ''}${run.error ? String(run.error) : ''}`.trim() };
}

/** The download host, and why it cannot be reached (the installer's own error omits the cause). */
export async function probeDownloadHost(env = process.env) {
  const base = env.ELECTRON_MIRROR || env.npm_config_electron_mirror || 'https://github.com/electron/electron/releases/download/';
  let host = base;
  try {
    host = new URL(base).host;
    await fetch(base, { method: 'HEAD', signal: AbortSignal.timeout(5000) });
    return { host, reachable: true, reason: '' };
  } catch (e) {
    const cause = e?.cause?.message ?? e?.message ?? String(e);
    return { host, reachable: false, reason: cause };
  }
}

export function explainMissingBinary({ version, installerError, probe }) {
  const lastLine = installerError.split('\n').find((line) => line.trim() !== '') ?? 'no output';
  const why = probe.reachable
    ? `Electron's installer failed: ${lastLine}`
    : `this machine cannot reach ${probe.host} (${probe.reason}); Electron's installer said: ${lastLine}`;
  return [
    `Replica Desk cannot start: the Electron ${version} binary is missing and could not be downloaded.`,
    '',
    `Why: Electron ${version.split('.')[0]} downloads its binary on first use, not during npm install, and`,
    `     ${why}.`,
    '',
    'What to do (any one of):',
    `  - allow network access to ${probe.host}, or set ELECTRON_MIRROR to a mirror you can reach, then run \`npm start\` again;`,
    `  - unpack Electron ${version} for ${process.platform}-${process.arch} somewhere and set ELECTRON_OVERRIDE_DIST_PATH to that directory;`,
    '  - or run `npx install-electron` on a machine with network access and copy node_modules/electron/dist (with path.txt) here.',
    '',
    'Everything except the window works without Electron: the `replica-desk` command line',
    '(`npx replica-desk --help`, after `npm run build`) runs the same core.',
  ].join('\n');
}

/** Step 1: the binary, fetched if missing. */
export async function ensureElectronBinary(dir = electronPackageDir()) {
  const version = electronVersion(dir);
  const found = locateElectronBinary(dir);
  if (found.exists) return { ok: true, version, path: found.path, source: found.source };
  if (!process.env.ELECTRON_OVERRIDE_DIST_PATH) {
    console.error(`Electron ${version} is not downloaded yet; fetching it with node_modules/electron/install.js ...`);
    const fetched = fetchElectronBinary(dir);
    const after = locateElectronBinary(dir);
    if (fetched.ok && after.exists) return { ok: true, version, path: after.path, source: after.source };
    return { ok: false, version, message: explainMissingBinary({ version, installerError: fetched.errorOutput, probe: await probeDownloadHost() }) };
  }
  return {
    ok: false,
    version,
    message: `Replica Desk cannot start: ELECTRON_OVERRIDE_DIST_PATH is set, but ${found.path} does not exist.\nPoint it at the directory of an unpacked Electron ${version}, or unset it to download Electron.`,
  };
}

export const sqliteBindingPath = (version, root = projectRoot) => join(root, '.cache', 'electron-native', version, 'better_sqlite3.node');

/** node-gyp from the project, else the copy that ships inside npm. */
function nodeGypScript(env = process.env) {
  const candidates = [
    () => requireFromProject.resolve('node-gyp/bin/node-gyp.js'),
    () => env.npm_execpath && join(dirname(dirname(env.npm_execpath)), 'node_modules/node-gyp/bin/node-gyp.js'),
    () => join(dirname(process.execPath), '../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js'),
  ];
  for (const candidate of candidates) {
    try {
      const path = candidate();
      if (path && existsSync(path)) return path;
    } catch {
      // not installed there; try the next place
    }
  }
  return null;
}

/** The environment for building against Electron's headers: npm's nodedir (~/.npmrc) would pick Node's. */
function electronBuildEnv(env = process.env) {
  const targetOptions = /^npm_config_(nodedir|target|runtime|disturl|dist_url|build_from_source)$/i;
  return Object.fromEntries(Object.entries(env).filter(([name]) => !targetOptions.test(name)));
}

// node-gyp ends with boilerplate (versions, argv, cwd); the lines before it say what failed.
const boilerplate = /gyp ERR! (stack\s+at |System |command |cwd |node -v |node-gyp -v |not ok)/;
export function summarizeBuildOutput(output, lines = 8) {
  const telling = output.split('\n').filter((line) => /ERR!|error|GET |ENOTFOUND|EAI_AGAIN|ECONN/i.test(line) && !boilerplate.test(line));
  return telling.slice(-lines).map((line) => line.trim()).join('\n    ') || output.trim().split('\n').at(-1) || 'no output';
}

function runQuietly(file, args, options) {
  const run = spawnSync(file, args, { ...options, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  return { ok: run.status === 0, output: `${run.stdout ?? ''}${run.stderr ?? ''}${run.error ? String(run.error) : ''}` };
}

/**
 * Step 2: better_sqlite3.node for Electron's ABI, built once per Electron and better-sqlite3
 * version in a scratch copy of the package. Tries a prebuilt binary first, then compiles.
 */
export function ensureSqliteBindingForElectron(version, root = projectRoot) {
  const target = sqliteBindingPath(version, root);
  const sourceDir = packageDir('better-sqlite3');
  const sqliteVersion = readJson(join(sourceDir, 'package.json')).version;
  const stamp = `${target}.version`;
  if (existsSync(target) && existsSync(stamp) && readFileSync(stamp, 'utf8') === sqliteVersion) return target;

  console.error(`Building better-sqlite3 ${sqliteVersion} for Electron ${version} (once; compiling takes a few minutes) ...`);
  const work = mkdtempSync(join(tmpdir(), 'replica-desk-sqlite-'));
  try {
    const copy = join(work, 'better-sqlite3');
    cpSync(sourceDir, copy, { recursive: true, filter: (src) => !`${src}${sep}`.startsWith(join(sourceDir, 'build') + sep) });
    const env = electronBuildEnv();
    const attempts = [];
    const prebuilt = runQuietly(process.execPath, [join(packageDir('prebuild-install'), 'bin.js'), '--runtime=electron', `--target=${version}`], { cwd: copy, env });
    attempts.push(`prebuild-install: ${summarizeBuildOutput(prebuilt.output, 2)}`);
    let ok = prebuilt.ok;
    if (!ok) {
      const gyp = nodeGypScript();
      if (gyp) {
        const args = ['rebuild', '--release', '--runtime=electron', `--target=${version}`, '--dist-url=https://electronjs.org/headers'];
        const compiled = runQuietly(process.execPath, [gyp, ...args], { cwd: copy, env });
        attempts.push(`node-gyp: ${summarizeBuildOutput(compiled.output)}`);
        ok = compiled.ok;
      } else {
        attempts.push('node-gyp: not found (neither in node_modules nor inside npm)');
      }
    }
    const built = join(copy, 'build', 'Release', 'better_sqlite3.node');
    if (!ok || !existsSync(built)) {
      throw new Error(
        [
          `Could not build better-sqlite3 for Electron ${version}.`,
          ...attempts.map((a) => `  ${a}`),
          'Both need network access (prebuilt binaries on github.com, Electron headers on electronjs.org);',
          'compiling also needs python3, make and a C++ compiler.',
        ].join('\n'),
      );
    }
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(built, `${target}.tmp`);
    renameSync(`${target}.tmp`, target);
    writeFileSync(stamp, sqliteVersion);
    return target;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((newest, entry) => Math.max(newest, newestMtime(join(path, entry))), stat.mtimeMs);
}

/** Step 3: whether out/ is missing a part or older than anything it is built from. */
export function appBuildIsStale(root = projectRoot) {
  const outputs = ['out/main/index.js', 'out/preload/index.js', 'out/renderer/index.html'].map((p) => join(root, p));
  if (outputs.some((p) => !existsSync(p))) return true;
  const built = Math.min(...outputs.map((p) => statSync(p).mtimeMs));
  const inputs = ['src', 'electron.vite.config.ts', 'package.json'].map((p) => newestMtime(join(root, p)));
  return Math.max(...inputs) > built;
}

export function buildApp(root = projectRoot) {
  const bin = readJson(join(packageDir('electron-vite'), 'package.json')).bin;
  const script = join(packageDir('electron-vite'), typeof bin === 'string' ? bin : bin['electron-vite']);
  return spawnSync(process.execPath, [script, 'build'], { cwd: root, stdio: 'inherit' }).status === 0;
}

/** Runs Electron on the project directory until it exits; resolves to its exit code. */
export function launchElectron(binary, sqliteBinding, root = projectRoot) {
  const env = { ...process.env, REPLICA_DESK_SQLITE_BINDING: sqliteBinding };
  // Set by some tools; it would turn the app into a plain Node process.
  delete env.ELECTRON_RUN_AS_NODE;
  const child = spawn(binary, [root], { cwd: root, env, stdio: 'inherit', shell: false });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  return new Promise((resolveExit) => {
    child.on('error', (e) => {
      console.error(`Could not run Electron at ${binary}: ${e.message}`);
      resolveExit(1);
    });
    child.on('close', (code, signal) => {
      if (code === null) console.error(`Electron exited with signal ${signal}.`);
      resolveExit(code ?? 1);
    });
  });
}

export async function main(argv) {
  const electron = await ensureElectronBinary();
  if (!electron.ok) {
    console.error(electron.message);
    return 1;
  }
  if (argv.includes('--check')) {
    const binding = sqliteBindingPath(electron.version);
    console.log(`Electron ${electron.version} is installed: ${electron.path} (${electron.source}).`);
    console.log(`better-sqlite3 for Electron: ${existsSync(binding) ? relative(projectRoot, binding) : 'not built yet; `npm start` builds it once'}.`);
    console.log(`App build (out/): ${appBuildIsStale() ? 'missing or older than src/; `npm start` rebuilds it' : 'up to date'}.`);
    return 0;
  }
  let binding;
  try {
    binding = ensureSqliteBindingForElectron(electron.version);
  } catch (e) {
    console.error(`Replica Desk cannot start: ${e.message}`);
    return 1;
  }
  if (appBuildIsStale() && !buildApp()) {
    console.error('Replica Desk cannot start: `electron-vite build` failed (see above).');
    return 1;
  }
  return launchElectron(electron.path, binding);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exit(await main(process.argv.slice(2)));
}
