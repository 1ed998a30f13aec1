// The packaging configuration as electron-builder will read it: the targets per platform, what
// goes into the app and what is unpacked from its asar, the icon, and the fuses the afterPack
// hook flips. The hook also runs against a stand-in binary that carries a real fuse wire.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Configuration } from 'electron-builder';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../../scripts/packaging/dist.mjs';

type FlipFuses = typeof import('../../../scripts/packaging/flipFuses.cjs');

const requireHere = createRequire(import.meta.url);
const config = requireHere('../../../electron-builder.config.cjs') as Configuration;
const hook = requireHere('../../../scripts/packaging/flipFuses.cjs') as FlipFuses;
// The very libraries electron-builder matches patterns and names architectures with.
const requireFromBuilder = createRequire(requireHere.resolve('app-builder-lib/package.json'));
const { Minimatch } = requireFromBuilder('minimatch') as { Minimatch: new (pattern: string, options: { dot: boolean }) => { match(path: string): boolean } };
const { Arch } = requireFromBuilder('builder-util') as { Arch: Record<string, number | string> };
const { validateConfiguration } = requireFromBuilder('./out/util/config/config') as {
  validateConfiguration(config: Configuration, logger: { isEnabled: boolean; add(): void }): Promise<void>;
};

const scratch = mkdtempSync(join(tmpdir(), 'replica-desk-packaging-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const patterns = (value: unknown): string[] => (Array.isArray(value) ? value : [value]).filter((p): p is string => typeof p === 'string');
const matches = (pattern: string, path: string): boolean => new Minimatch(pattern, { dot: true }).match(path);

/**
 * electron-builder's rule for `files`: the last pattern that matches decides, `!` excludes.
 * Production dependencies are collected apart and only filtered by the exclusions.
 */
function packed(path: string): boolean {
  let included = path.startsWith('node_modules/');
  for (const pattern of patterns(config.files)) {
    if (pattern.startsWith('!')) {
      if (matches(pattern.slice(1), path)) included = false;
    } else if (matches(pattern, path)) {
      included = true;
    }
  }
  return included;
}
const unpacked = (path: string): boolean => patterns(config.asarUnpack).some((pattern) => matches(pattern, path));

const targetsOf = (platform: 'linux' | 'win' | 'mac'): unknown => (config[platform] as { target?: unknown } | undefined)?.target;

describe('electron-builder.config.cjs', () => {
  // Loading electron-builder's JSON schema takes seconds on a busy machine.
  it('is a configuration electron-builder accepts', { timeout: 60_000 }, async () => {
    await expect(validateConfiguration(config, { isEnabled: false, add: () => undefined })).resolves.toBeUndefined();
    expect(config).toMatchObject({ productName: 'Replica Desk', asar: true, npmRebuild: true, directories: { output: 'dist' } });
    expect(config.appId).toMatch(/^[a-z]+(\.[a-z0-9-]+){2,}$/);
  });

  it('builds AppImage and deb on Linux, an NSIS installer on Windows, a dmg on macOS', () => {
    expect(targetsOf('linux')).toEqual(['AppImage', 'deb']);
    expect(targetsOf('win')).toEqual(['nsis']);
    expect(targetsOf('mac')).toEqual(['dmg']);
    expect(config.mac).toMatchObject({ hardenedRuntime: true, category: 'public.app-category.developer-tools' });
  });

  it('gives the deb what Debian requires, and libsecret for the keychain', () => {
    expect(config.linux?.maintainer).toMatch(/^.+ <.+@.+>$/);
    expect(config.linux?.category).toBe('Development');
    expect(config.linux?.synopsis).toBeTruthy();
    expect((config.extraMetadata as { homepage?: string }).homepage).toMatch(/^https:\/\//);
    expect(config.deb?.depends).toContain('libsecret-1-0');
    // The executable must not shadow the `replica-desk` command line in /usr/bin.
    expect(config.linux?.executableName).not.toBe('replica-desk');
    expect((config.extraMetadata as { desktopName?: string }).desktopName).toBe(`${config.linux?.executableName}.desktop`);
  });

  it('packs the built app and leaves sources, tests and caches out', () => {
    for (const path of ['out/main/index.js', 'out/main/cli.js', 'out/preload/index.js', 'out/renderer/index.html', 'out/renderer/assets/index-abc.js', 'package.json', 'resources/icon.png']) {
      expect(packed(path), path).toBe(true);
    }
    for (const path of ['src/main/index.ts', 'src/renderer/src/App.tsx', 'tests/unit/packaging/builderConfig.test.ts', '.cache/electron-native/45.4.1/better_sqlite3.node', 'scripts/start.mjs', 'dist/linux-unpacked/replica-desk-app', 'out/main/index.js.map', 'resources/icon.svg']) {
      expect(packed(path), path).toBe(false);
    }
    // ssh2's cipher binding is built for Node's ABI and never rebuilt for Electron; its JavaScript
    // fallback needs poly1305.js, which stays.
    expect(packed('node_modules/ssh2/lib/protocol/crypto/build/Release/sshcrypto.node')).toBe(false);
    expect(packed('node_modules/ssh2/lib/protocol/crypto/poly1305.js')).toBe(true);
  });

  it('unpacks the native modules from the asar', () => {
    const natives = ['better-sqlite3', 'keytar', 'cpu-features'].flatMap((name) => {
      const release = join(projectRoot, 'node_modules', name, 'build', 'Release');
      return readdirSync(release).filter((file) => file.endsWith('.node')).map((file) => `node_modules/${name}/build/Release/${file}`);
    });
    expect(natives).toEqual(expect.arrayContaining(['node_modules/better-sqlite3/build/Release/better_sqlite3.node', 'node_modules/keytar/build/Release/keytar.node']));
    for (const path of natives) expect(unpacked(path), path).toBe(true);
    for (const path of ['node_modules/pg/lib/index.js', 'out/main/index.js', 'node_modules/better-sqlite3/lib/database.js']) expect(unpacked(path), path).toBe(false);
  });

  it('takes its icon from a 512×512 PNG in resources/', () => {
    expect(config.icon).toBe('resources/icon.png');
    const png = readFileSync(join(projectRoot, 'resources', 'icon.png'));
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(png.subarray(12, 16).toString('ascii')).toBe('IHDR');
    expect({ width: png.readUInt32BE(16), height: png.readUInt32BE(20) }).toEqual({ width: 512, height: 512 });
  });

  it('runs the fuse hook after packing', () => {
    expect(config.afterPack).toBe(hook.afterPack);
  });
});

describe('the release fuses', () => {
  it('flip exactly the intended fuses away from Electron’s defaults', () => {
    const flipped = Object.fromEntries(Object.entries(hook.RELEASE_FUSES).filter(([name, on]) => hook.ELECTRON_DEFAULT_FUSES[name] !== on));
    expect(flipped).toEqual({
      RunAsNode: false,
      EnableCookieEncryption: true,
      EnableNodeOptionsEnvironmentVariable: false,
      EnableNodeCliInspectArguments: false,
      EnableEmbeddedAsarIntegrityValidation: true,
      OnlyLoadAppFromAsar: true,
    });
    // Still on while the renderer is loaded over file:// from inside app.asar (see flipFuses.cjs).
    expect(hook.RELEASE_FUSES.GrantFileProtocolExtraPrivileges).toBe(true);
  });

  it('become an @electron/fuses configuration that names every fuse it knows', async () => {
    const fuses = await import('@electron/fuses');
    const config = hook.fuseConfigFor({ platform: 'linux', arch: 'x64' }, fuses);
    expect(config).toMatchObject({ version: fuses.FuseVersion.V1, resetAdHocDarwinSignature: false });
    expect(config[fuses.FuseV1Options.RunAsNode]).toBe(false);
    expect(config[fuses.FuseV1Options.OnlyLoadAppFromAsar]).toBe(true);
    const known = Object.values(fuses.FuseV1Options).filter((v): v is number => typeof v === 'number');
    expect(known.every((index) => typeof config[index] === 'boolean')).toBe(true);
    expect(hook.fuseConfigFor({ platform: 'darwin', arch: 'arm64' }, fuses).resetAdHocDarwinSignature).toBe(true);
    expect(hook.fuseConfigFor({ platform: 'darwin', arch: 'x64' }, fuses).resetAdHocDarwinSignature).toBe(false);
    expect(() => hook.fuseConfigFor({ platform: 'linux', arch: 'x64' }, fuses, { ...hook.RELEASE_FUSES, NoSuchFuse: true })).toThrow(/does not know the fuse NoSuchFuse/);
    const { WasmTrapHandlers: _left, ...incomplete } = hook.RELEASE_FUSES;
    expect(() => hook.fuseConfigFor({ platform: 'linux', arch: 'x64' }, fuses, incomplete)).toThrow(/No release value for the fuse\(s\) WasmTrapHandlers/);
  });

  it('are flipped where electron-builder puts the binary', () => {
    const packager = { executableName: 'replica-desk-app', appInfo: { productFilename: 'Replica Desk' } };
    expect(hook.electronBinaryPath({ appOutDir: '/o', electronPlatformName: 'linux', arch: 1, packager })).toBe('/o/replica-desk-app');
    expect(hook.electronBinaryPath({ appOutDir: '/o', electronPlatformName: 'win32', arch: 1, packager })).toBe(join('/o', 'Replica Desk.exe'));
    expect(hook.electronBinaryPath({ appOutDir: '/o', electronPlatformName: 'darwin', arch: 3, packager })).toBe(join('/o', 'Replica Desk.app'));
    expect(hook.ARCH_NAMES.map((name) => Arch[name])).toEqual([0, 1, 2, 3, 4]);
  });

  // Electron's binary cannot be downloaded here; the stand-in carries the fuse wire exactly as
  // Electron lays it out (sentinel, version 1, length, one byte per fuse) with Electron's defaults.
  function standInElectron(name: string): string {
    const dir = mkdtempSync(join(scratch, 'app-'));
    const wire = Object.values(hook.ELECTRON_DEFAULT_FUSES).map((on) => (on ? '1' : '0')).join('');
    const binary = Buffer.concat([Buffer.alloc(4096, 0x7f), Buffer.from('dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX'), Buffer.from([1, wire.length]), Buffer.from(wire), Buffer.alloc(4096)]);
    writeFileSync(join(dir, name), binary);
    return dir;
  }
  const context = (appOutDir: string) => ({ appOutDir, electronPlatformName: 'linux', arch: 1, packager: { executableName: 'replica-desk-app', appInfo: { productFilename: 'Replica Desk' } } });

  it('are flipped in the packed binary and read back', async () => {
    const dir = standInElectron('replica-desk-app');
    expect(await hook.readFuses(join(dir, 'replica-desk-app'))).toEqual(hook.ELECTRON_DEFAULT_FUSES);
    await hook.afterPack(context(dir), {});
    expect(await hook.readFuses(join(dir, 'replica-desk-app'))).toEqual(hook.RELEASE_FUSES);
  });

  it(`stay at Electron's defaults for a debug package (${hook.KEEP_DEFAULT_FUSES_ENV}=1)`, async () => {
    const dir = standInElectron('replica-desk-app');
    await hook.afterPack(context(dir), { [hook.KEEP_DEFAULT_FUSES_ENV]: '1' });
    expect(await hook.readFuses(join(dir, 'replica-desk-app'))).toEqual(hook.ELECTRON_DEFAULT_FUSES);
  });

  it('are flipped in a newer Electron whose wire has fuses the table does not know yet', async () => {
    const dir = mkdtempSync(join(scratch, 'app-'));
    const wire = `${Object.values(hook.ELECTRON_DEFAULT_FUSES).map((on) => (on ? '1' : '0')).join('')}0`;
    writeFileSync(join(dir, 'replica-desk-app'), Buffer.concat([Buffer.from('dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX'), Buffer.from([1, wire.length]), Buffer.from(wire)]));
    await hook.afterPack(context(dir), {});
    const states = await hook.readFuses(join(dir, 'replica-desk-app'));
    expect(states).toMatchObject(hook.RELEASE_FUSES);
    expect(Object.keys(states)).toHaveLength(Object.keys(hook.RELEASE_FUSES).length + 1);
  });

  it('fail the build when the binary has no fuse wire', async () => {
    const dir = mkdtempSync(join(scratch, 'app-'));
    writeFileSync(join(dir, 'replica-desk-app'), Buffer.alloc(1024));
    await expect(hook.afterPack(context(dir), {})).rejects.toThrow(/Could not find sentinel/);
    expect(existsSync(join(dir, 'replica-desk-app'))).toBe(true);
  });
});
