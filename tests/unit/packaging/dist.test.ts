// `npm run dist`'s wrapper around electron-builder: the refusal where the downloads are out of
// reach (run for real, against sources that cannot answer), the environment it gives the
// native rebuild, and how it sets node_modules' native builds aside and puts them back.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  backUpNativeBuilds,
  builderEnv,
  downloadSources,
  explainBuilderFailure,
  findNativeBuilds,
  projectRoot,
  requestedPlatforms,
  restoreNativeBuilds,
} from '../../../scripts/packaging/dist.mjs';

const scratch = mkdtempSync(join(tmpdir(), 'replica-desk-dist-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const sha256 = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');
const sqliteBinding = join(projectRoot, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node');

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolveClose) => server.close(resolveClose));
  return port;
}

function runDist(args: string[], env: NodeJS.ProcessEnv): { status: number | null; stderr: string } {
  const run = spawnSync(process.execPath, [join(projectRoot, 'scripts/packaging/dist.mjs'), ...args], { cwd: projectRoot, encoding: 'utf8', env, timeout: 60_000 });
  return { status: run.status, stderr: run.stderr };
}

describe('npm run dist', () => {
  it('refuses before touching anything when the download sources cannot be reached', async () => {
    const before = sha256(sqliteBinding);
    // A loopback port nothing listens on refuses connections on any machine: the offline path everywhere.
    const nowhere = `http://127.0.0.1:${await closedPort()}/`;
    const env: NodeJS.ProcessEnv = { ...process.env, ELECTRON_MIRROR: nowhere, npm_config_electron_mirror: nowhere, ELECTRON_BUILDER_BINARIES_MIRROR: nowhere };
    for (const name of ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'REPLICA_DESK_DIST_NO_PROBE']) delete env[name];
    const run = runDist(['--dir'], env);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('Replica Desk cannot be packaged on this machine');
    expect(run.stderr).toMatch(/Electron itself: 127\.0\.0\.1:\d+ cannot be reached \(ECONNREFUSED/);
    expect(run.stderr).toContain("Electron's headers");
    expect(run.stderr).toContain('ELECTRON_BUILDER_BINARIES_MIRROR');
    expect(run.stderr).toContain('Nothing was changed');
    expect(sha256(sqliteBinding)).toBe(before);
    expect(existsSync(join(projectRoot, '.cache/dist-node-builds'))).toBe(false);
  });

  it('refuses to package for another operating system', () => {
    const other = process.platform === 'linux' ? '--win' : '--linux';
    const run = runDist([other], { ...process.env });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/packages on that system: better-sqlite3 and cpu-features are compiled for Electron/);
  });

  it('reads the platforms from electron-builder’s flags', () => {
    expect(requestedPlatforms(['--dir'], 'linux')).toEqual(['linux']);
    expect(requestedPlatforms(['--linux', 'deb', '-w'], 'linux')).toEqual(['linux', 'win32']);
    expect(requestedPlatforms(['--mac', '--macos'], 'darwin')).toEqual(['darwin']);
  });

  it('lets mirrors replace every download source', () => {
    const defaults = downloadSources({}).map((s) => new URL(s.base).host);
    expect(defaults).toEqual(['github.com', 'electronjs.org', 'github.com']);
    const mirrored = downloadSources({ ELECTRON_MIRROR: 'https://m/e/', npm_config_electron_mirror: 'https://m/h/', ELECTRON_BUILDER_BINARIES_MIRROR: 'https://m/b/' });
    expect(mirrored.map((s) => s.base)).toEqual(['https://m/e/', 'https://m/h/', 'https://m/b/']);
  });

  it("hides npm's nodedir from the native rebuild, so it compiles against Electron's headers", () => {
    const env = builderEnv({ PATH: '/bin', npm_config_nodedir: '/usr', NPM_CONFIG_NODEDIR: '/usr', npm_config_target: '20.0.0', npm_config_cache: '/c' });
    expect(env).toEqual({ PATH: '/bin', npm_config_cache: '/c' });
  });

  it('names the host when electron-builder fails on a download', () => {
    // Verbatim from electron-builder 26 on a machine without access to github.com / electronjs.org.
    const electron = '  ⨯ getaddrinfo ENOTFOUND github.com  failedTask=build stackTrace=RequestError: getaddrinfo ENOTFOUND github.com\n    at ClientRequest.<anonymous>';
    expect(explainBuilderFailure(electron)).toMatch(/^electron-builder failed on a download: github\.com cannot be reached\.\n {2}getaddrinfo ENOTFOUND github\.com\n/);
    const headers = [
      '  • preparing       moduleName=better-sqlite3 arch=x64',
      '  ⨯ ',
      'Error: This is most likely not a problem with node-gyp or the package itself and',
      'is related to network connectivity. In most cases you are behind a proxy or have bad ',
      "  ⨯ node-gyp failed to rebuild '/p/node_modules/better-sqlite3'  failedTask=build",
    ].join('\n');
    expect(explainBuilderFailure(headers)).toContain("Electron's headers (electronjs.org/headers) cannot be reached");
    expect(explainBuilderFailure('  ⨯ Cannot find module x')).toBe('electron-builder failed (see its output above).');
  });
});

describe('the native builds in node_modules', () => {
  function fakeProject(): string {
    const root = mkdtempSync(join(scratch, 'project-'));
    const write = (path: string, content: string) => {
      mkdirSync(join(root, path, '..'), { recursive: true });
      writeFileSync(join(root, path), content);
    };
    write('node_modules/plain/build/index.js', 'not native');
    write('node_modules/native/binding.gyp', '{}');
    write('node_modules/native/build/Release/native.node', 'node abi');
    write('node_modules/@scope/scoped/binding.gyp', '{}');
    write('node_modules/@scope/scoped/build/Release/scoped.node', 'node abi');
    write('node_modules/plain/node_modules/nested/binding.gyp', '{}');
    write('node_modules/plain/node_modules/nested/build/Release/nested.node', 'node abi');
    write('node_modules/unbuilt/binding.gyp', '{}');
    return root;
  }
  const read = (root: string, path: string) => (existsSync(join(root, path)) ? readFileSync(join(root, path), 'utf8') : null);

  it('are found wherever a package builds with node-gyp', () => {
    const root = fakeProject();
    expect(findNativeBuilds(join(root, 'node_modules')).map((p) => p.slice(root.length + 1)).sort()).toEqual([
      'node_modules/@scope/scoped/build',
      'node_modules/native/build',
      'node_modules/plain/node_modules/nested/build',
    ]);
  });

  it('are put back as they were after the rebuild replaced or deleted them', () => {
    const root = fakeProject();
    expect(backUpNativeBuilds(root)).toHaveLength(3);
    // What @electron/rebuild does: a new build for Electron's ABI, or no build/ at all on failure.
    writeFileSync(join(root, 'node_modules/native/build/Release/native.node'), 'electron abi');
    writeFileSync(join(root, 'node_modules/native/build/Release/.forge-meta'), 'linux--x64--140');
    rmSync(join(root, 'node_modules/@scope/scoped/build'), { recursive: true });
    expect(restoreNativeBuilds(root).sort()).toEqual(['node_modules/@scope/scoped/build', 'node_modules/native/build', 'node_modules/plain/node_modules/nested/build']);
    expect(read(root, 'node_modules/native/build/Release/native.node')).toBe('node abi');
    expect(read(root, 'node_modules/native/build/Release/.forge-meta')).toBeNull();
    expect(read(root, 'node_modules/@scope/scoped/build/Release/scoped.node')).toBe('node abi');
    expect(read(root, 'node_modules/plain/build/index.js')).toBe('not native');
    expect(existsSync(join(root, '.cache/dist-node-builds'))).toBe(false);
    expect(restoreNativeBuilds(root)).toEqual([]);
  });

  it('left aside by an interrupted run are restored by the next one', () => {
    const root = fakeProject();
    backUpNativeBuilds(root);
    rmSync(join(root, 'node_modules/native/build'), { recursive: true });
    // The next run starts by restoring whatever a killed run left in .cache/dist-node-builds.
    expect(restoreNativeBuilds(root)).toContain('node_modules/native/build');
    expect(read(root, 'node_modules/native/build/Release/native.node')).toBe('node abi');
  });
});
