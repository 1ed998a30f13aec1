#!/usr/bin/env node
// `npm run dist` / `npm run dist:dir`: electron-builder with electron-builder.config.cjs, plus the
// three things electron-builder does not do for this project:
//   1. says plainly, before touching anything, when the downloads packaging needs are out of
//      reach (electron-builder's own message is a bare `getaddrinfo ENOTFOUND github.com`);
//   2. hides npm's `nodedir` (~/.npmrc) from the native rebuild. With it, node-gyp compiles
//      better-sqlite3 against Node's headers and @electron/rebuild records it as built for
//      Electron: the package would ship a module the app cannot load;
//   3. puts node_modules back as it was. @electron/rebuild rebuilds native modules in place, for
//      Electron's ABI (or deletes their build/ when it fails), which would break the CLI and
//      the tests in this checkout.
// Arguments are passed on to electron-builder: `npm run dist -- --linux deb`.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const CONFIG_FILE = 'electron-builder.config.cjs';
const backupRoot = (root) => join(root, '.cache', 'dist-node-builds');

const PLATFORM_FLAGS = { '--linux': 'linux', '-l': 'linux', '--win': 'win32', '--windows': 'win32', '-w': 'win32', '--mac': 'darwin', '--macos': 'darwin', '-m': 'darwin' };
const PLATFORM_NAMES = { linux: 'Linux', win32: 'Windows', darwin: 'macOS' };

/** The platforms an electron-builder command line builds for (the host's when none is named). */
export function requestedPlatforms(args, host = process.platform) {
  const named = args.map((arg) => PLATFORM_FLAGS[arg]).filter(Boolean);
  return [...new Set(named.length > 0 ? named : [host])];
}

/** What packaging downloads on its first run (cached afterwards), and from where. */
export function downloadSources(env = process.env) {
  return [
    { what: 'Electron itself', base: env.ELECTRON_MIRROR || 'https://github.com/electron/electron/releases/download/', override: 'ELECTRON_MIRROR' },
    // electron-builder passes npm_config_electron_mirror to node-gyp as the headers' dist URL.
    { what: "Electron's headers, to compile better-sqlite3 and cpu-features for Electron", base: env.npm_config_electron_mirror || 'https://electronjs.org/headers/', override: 'npm_config_electron_mirror' },
    {
      what: "electron-builder's packaging tools (appimagetool and fpm on Linux, NSIS on Windows)",
      base: env.ELECTRON_BUILDER_BINARIES_MIRROR || 'https://github.com/electron-userland/electron-builder-binaries/releases/download/',
      override: 'ELECTRON_BUILDER_BINARIES_MIRROR',
    },
  ];
}

/** Any HTTP answer counts: only whether the host can be reached at all matters here. */
export async function probe(url, timeoutMs = 5000) {
  try {
    await fetch(url, { method: 'HEAD', redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    return { reachable: true, reason: '' };
  } catch (e) {
    return { reachable: false, reason: e?.cause?.code ? `${e.cause.code}${e.cause.hostname ? ` ${e.cause.hostname}` : ''}` : (e?.cause?.message ?? e?.message ?? String(e)) };
  }
}

const hostOf = (url) => {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
};

export function explainUnreachable(unreachable, version) {
  return [
    'Replica Desk cannot be packaged on this machine: it cannot reach the hosts packaging downloads from.',
    '',
    ...unreachable.map((s) => `  - ${s.what}: ${hostOf(s.base)} cannot be reached (${s.reason}); ${s.override} sets another source.`),
    '',
    `\`npm run dist\` fetches these on its first run and caches them: Electron ${version} for the target platform, its headers, and the`,
    'packaging tools. Run it on a machine with network access to those hosts, or point the variables above at mirrors.',
    'Nothing was changed: node_modules is as it was, and dist/ was not touched.',
    'Behind a proxy (HTTPS_PROXY set) this check is skipped; REPLICA_DESK_DIST_NO_PROBE=1 skips it too.',
  ].join('\n');
}

const NETWORK_ERROR = /\b(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|getaddrinfo|network connectivity)\b/;

/** What to tell the admin after electron-builder failed, from its output. */
export function explainBuilderFailure(output) {
  const lines = [...new Set(output.split('\n').filter((line) => NETWORK_ERROR.test(line)).map((line) => line.replace(/^\s*⨯\s*/, '').replace(/\s+failedTask=.*$/, '').trim()))];
  if (lines.length === 0) return 'electron-builder failed (see its output above).';
  const hosts = [...new Set([...output.matchAll(/\b(?:ENOTFOUND|EAI_AGAIN|ECONNREFUSED) ([\w.-]+)/g)].map((m) => m[1]))];
  // node-gyp hides the host: it was fetching Electron's headers to compile a native module.
  if (/node-gyp failed to rebuild/.test(output) && /network connectivity/.test(output)) hosts.push("Electron's headers (electronjs.org/headers)");
  return [
    `electron-builder failed on a download${hosts.length > 0 ? `: ${hosts.join(', ')} cannot be reached` : ''}.`,
    ...lines.slice(0, 2).map((line) => `  ${line}`),
    'Packaging needs network access on its first run (Electron, its headers, the packaging tools); ELECTRON_MIRROR,',
    'npm_config_electron_mirror and ELECTRON_BUILDER_BINARIES_MIRROR point it at mirrors.',
  ].join('\n');
}

/** Packages with a node-gyp build (binding.gyp next to package.json) and a build/ to protect. */
export function findNativeBuilds(nodeModules) {
  const found = [];
  const visit = (dir) => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
      const path = join(dir, entry.name);
      if (entry.name.startsWith('@')) {
        visit(path);
        continue;
      }
      if (existsSync(join(path, 'binding.gyp')) && existsSync(join(path, 'build'))) found.push(join(path, 'build'));
      visit(join(path, 'node_modules'));
    }
  };
  visit(nodeModules);
  return found;
}

/**
 * Copies every native build/ aside, under .cache (same file system, so restoring is a rename),
 * with a manifest of where each came from.
 */
export function backUpNativeBuilds(root = projectRoot) {
  const builds = findNativeBuilds(join(root, 'node_modules')).map((build) => relative(root, build));
  const dir = backupRoot(root);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  builds.forEach((build, i) => cpSync(join(root, build), join(dir, String(i)), { recursive: true, verbatimSymlinks: true }));
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(builds));
  return builds;
}

/** Puts every backed-up build/ back in place; also recovers from an interrupted earlier run. */
export function restoreNativeBuilds(root = projectRoot) {
  const dir = backupRoot(root);
  const manifest = join(dir, 'manifest.json');
  if (!existsSync(manifest)) {
    rmSync(dir, { recursive: true, force: true });
    return [];
  }
  const builds = JSON.parse(readFileSync(manifest, 'utf8'));
  builds.forEach((build, i) => {
    rmSync(join(root, build), { recursive: true, force: true });
    renameSync(join(dir, String(i)), join(root, build));
  });
  rmSync(dir, { recursive: true, force: true });
  return builds;
}

/** electron-builder's environment: everything but npm's settings that aim node-gyp at Node. */
export function builderEnv(env = process.env) {
  const nodeTargeting = /^npm_config_(nodedir|target|runtime|disturl|dist_url|build_from_source)$/i;
  return Object.fromEntries(Object.entries(env).filter(([name]) => !nodeTargeting.test(name)));
}

function runBuilder(args, root, env) {
  const cli = join(root, 'node_modules', 'electron-builder', 'cli.js');
  const child = spawn(process.execPath, [cli, '--config', CONFIG_FILE, ...args], { cwd: root, env: builderEnv(env), stdio: ['inherit', 'pipe', 'pipe'], shell: false });
  let tail = '';
  const keep = (stream, target) =>
    stream.on('data', (chunk) => {
      target.write(chunk);
      tail = (tail + chunk.toString()).slice(-64 * 1024);
    });
  keep(child.stdout, process.stdout);
  keep(child.stderr, process.stderr);
  const forward = (signal) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  return new Promise((resolveRun) => {
    child.on('error', (e) => resolveRun({ code: 1, output: `${tail}\n${e.message}` }));
    child.on('close', (code) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolveRun({ code: code ?? 1, output: tail });
    });
  });
}

export async function main(args, { root = projectRoot, env = process.env } = {}) {
  const version = JSON.parse(readFileSync(join(root, 'node_modules', 'electron', 'package.json'), 'utf8')).version;
  const foreign = requestedPlatforms(args).filter((platform) => platform !== process.platform);
  if (foreign.length > 0) {
    console.error(
      `Build ${foreign.map((p) => PLATFORM_NAMES[p] ?? p).join(' and ')} packages on ${foreign.length > 1 ? 'those systems' : 'that system'}: ` +
        `better-sqlite3 and cpu-features are compiled for Electron on the machine that packages, for its own platform.`,
    );
    return 2;
  }
  const hasProxy = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'].some((name) => env[name]);
  if (!hasProxy && env.REPLICA_DESK_DIST_NO_PROBE !== '1') {
    const sources = downloadSources(env);
    const results = await Promise.all(sources.map((source) => probe(source.base)));
    const unreachable = sources.map((source, i) => ({ ...source, ...results[i] })).filter((source) => !source.reachable);
    if (unreachable.length > 0) {
      console.error(explainUnreachable(unreachable, version));
      return 1;
    }
  }

  const leftover = restoreNativeBuilds(root);
  if (leftover.length > 0) console.error(`Restored the Node.js builds an interrupted \`npm run dist\` left aside: ${leftover.join(', ')}.`);
  backUpNativeBuilds(root);
  let run;
  try {
    run = await runBuilder(args, root, env);
  } finally {
    const restored = restoreNativeBuilds(root);
    if (restored.length > 0) console.error(`\nPut the Node.js builds of ${restored.map((build) => basename(dirname(build))).join(', ')} back in node_modules.`);
  }
  if (run.code !== 0) {
    console.error(`\n${explainBuilderFailure(run.output)}`);
    return run.code;
  }
  const distDir = join(root, 'dist');
  const produced = existsSync(distDir) ? readdirSync(distDir).filter((name) => /\.(AppImage|deb|exe|dmg)$/.test(name) || name.endsWith('-unpacked') || name.startsWith('mac')) : [];
  const fuses = env.REPLICA_DESK_KEEP_DEFAULT_FUSES === '1' ? "fuses left at Electron's defaults (not for release)" : 'fuses flipped';
  console.error(`\nReplica Desk packaged with Electron ${version}, ${fuses}: ${produced.map((name) => `dist/${name}`).join(', ') || 'see dist/'}.`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exit(await main(process.argv.slice(2)));
}
