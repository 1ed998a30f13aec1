// electron-builder packs this very checkout with electron-builder.config.cjs, for Linux, into an
// unpacked directory. Electron's binary cannot be downloaded here, so a stand-in takes its place:
// a file that carries the fuse wire as Electron lays it out. Everything else is real: the file
// selection, the production dependencies, the asar and what is unpacked from it, the afterPack
// hook flipping the fuses. npmRebuild is off (it needs Electron's headers from the network);
// `npm run dist` turns it on.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONFIG_FILE, projectRoot } from '../../../scripts/packaging/dist.mjs';

type FlipFuses = typeof import('../../../scripts/packaging/flipFuses.cjs');
const requireHere = createRequire(import.meta.url);
const hook = requireHere('../../../scripts/packaging/flipFuses.cjs') as FlipFuses;
const asar = createRequire(requireHere.resolve('app-builder-lib/package.json'))('@electron/asar') as {
  listPackage(archive: string, options: { isPack: boolean }): string[];
  extractFile(archive: string, file: string): Buffer;
  statFile(archive: string, file: string): { unpacked?: boolean };
};

const scratch = mkdtempSync(join(tmpdir(), 'replica-desk-pack-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const output = join(scratch, 'dist');
const appDir = join(output, 'linux-unpacked');
const archive = join(appDir, 'resources', 'app.asar');
const sha256 = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');
const sqliteBinding = join(projectRoot, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node');

/** An unpacked "Electron" for linux-x64 whose binary holds only a fuse wire at Electron's defaults. */
function standInElectron(): string {
  const dir = join(scratch, 'electron');
  mkdirSync(join(dir, 'locales'), { recursive: true });
  mkdirSync(join(dir, 'resources'), { recursive: true });
  const wire = Object.values(hook.ELECTRON_DEFAULT_FUSES).map((on) => (on ? '1' : '0')).join('');
  writeFileSync(join(dir, 'electron'), Buffer.concat([Buffer.from('#!/bin/sh\nexit 0\n'), Buffer.alloc(64), Buffer.from('dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX'), Buffer.from([1, wire.length]), Buffer.from(wire)]), { mode: 0o755 });
  writeFileSync(join(dir, 'locales', 'en-US.pak'), '');
  writeFileSync(join(dir, 'LICENSE'), '');
  writeFileSync(join(dir, 'version'), '');
  return dir;
}

let files: string[] = [];
let nodeBuildBefore = '';
let log = '';

beforeAll(() => {
  if (!existsSync(join(projectRoot, 'out/main/index.js')) || !existsSync(join(projectRoot, 'out/renderer/index.html'))) {
    throw new Error('out/ is not built: run `npm run build` (npm test does) before this test.');
  }
  nodeBuildBefore = sha256(sqliteBinding);
  const cli = join(projectRoot, 'node_modules/electron-builder/cli.js');
  const args = ['--config', CONFIG_FILE, '--dir', '--linux', '--x64', '-c.npmRebuild=false', `-c.electronDist=${standInElectron()}`, `-c.directories.output=${output}`];
  const run = spawnSync(process.execPath, [cli, ...args], { cwd: projectRoot, encoding: 'utf8', timeout: 120_000, env: { ...process.env, REPLICA_DESK_KEEP_DEFAULT_FUSES: '' } });
  log = `${run.stdout}${run.stderr}`;
  if (run.status !== 0) throw new Error(`electron-builder failed (${run.status}):\n${log}`);
  files = asar.listPackage(archive, { isPack: false }).map((p) => p.replace(/\\/g, '/').replace(/^\//, ''));
}, 150_000);

describe('the packed app (electron-builder --dir --linux, stand-in Electron)', () => {
  it('holds the built app and its package.json, and nothing of the sources', () => {
    expect(files).toEqual(expect.arrayContaining(['out/main/index.js', 'out/preload/index.js', 'out/renderer/index.html', 'resources/icon.png', 'package.json']));
    const pkg = JSON.parse(asar.extractFile(archive, 'package.json').toString('utf8')) as { main: string; productName: string };
    expect(pkg).toMatchObject({ main: 'out/main/index.js', productName: 'Replica Desk' });
    expect(files.some((p) => p.startsWith('out/renderer/assets/') && p.endsWith('.js'))).toBe(true);
    for (const prefix of ['src/', 'tests/', 'scripts/', '.cache/', 'dist/', 'bin/', 'test-results/']) {
      expect(files.filter((p) => p.startsWith(prefix)), prefix).toEqual([]);
    }
    expect(files.filter((p) => /\.(map|ts|mts|cts)$/.test(p))).toEqual([]);
  });

  it('carries the production dependencies and none of the development ones', () => {
    const modules = new Set(files.filter((p) => p.startsWith('node_modules/')).map((p) => p.split('/').slice(1, p.split('/')[1]!.startsWith('@') ? 3 : 2).join('/')));
    for (const name of ['better-sqlite3', 'keytar', 'pg', 'ssh2', 'ssh-config', 'zod']) expect(modules.has(name), name).toBe(true);
    for (const name of ['electron', 'electron-builder', 'electron-vite', 'vite', 'vitest', 'react', 'typescript', 'playwright-core', '@electron/fuses']) {
      expect(modules.has(name), name).toBe(false);
    }
  });

  it('unpacks the native modules next to the asar, where Electron loads them from', () => {
    for (const binding of ['node_modules/better-sqlite3/build/Release/better_sqlite3.node', 'node_modules/keytar/build/Release/keytar.node']) {
      expect(asar.statFile(archive, binding).unpacked, binding).toBe(true);
      expect(existsSync(join(appDir, 'resources', 'app.asar.unpacked', binding)), binding).toBe(true);
    }
    expect(files.filter((p) => p.includes('ssh2/lib/protocol/crypto/build/'))).toEqual([]);
    expect(files).toContain('node_modules/ssh2/lib/protocol/crypto/poly1305.js');
  });

  it('names the executable replica-desk-app and flips its fuses', async () => {
    const binary = join(appDir, 'replica-desk-app');
    expect(existsSync(binary)).toBe(true);
    expect(await hook.readFuses(binary)).toEqual(hook.RELEASE_FUSES);
    expect(log).toContain('flipped Electron fuses');
  });

  it('leaves the Node.js builds in node_modules alone', () => {
    expect(sha256(sqliteBinding)).toBe(nodeBuildBefore);
  });
});
