// `npm start`'s preflight, run as the admin would run it. On the build machines the Electron
// binary cannot be downloaded, so there the clear refusal is what is checked; wherever the
// binary exists, the positive diagnosis is.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { appBuildIsStale, electronVersion, locateElectronBinary, projectRoot, summarizeBuildOutput } from '../../../scripts/start.mjs';

const version = electronVersion();
const scratch = mkdtempSync(join(tmpdir(), 'replica-desk-start-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function check(env: NodeJS.ProcessEnv = {}): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [join(projectRoot, 'scripts/start.mjs'), '--check'], {
    cwd: projectRoot,
    encoding: 'utf8',
    env: { ...process.env, ELECTRON_OVERRIDE_DIST_PATH: '', ...env },
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('node scripts/start.mjs --check', () => {
  // Downloading Electron (≈100 MB) is what --check does on a networked machine without it.
  it('reports the installed binary, or says clearly why there is none', { timeout: 15 * 60_000 }, () => {
    const before = locateElectronBinary(undefined, { ...process.env, ELECTRON_OVERRIDE_DIST_PATH: '' });
    const run = check();
    if (before.exists || run.status === 0) {
      const after = locateElectronBinary(undefined, { ...process.env, ELECTRON_OVERRIDE_DIST_PATH: '' });
      expect(after.exists).toBe(true);
      expect(run.status).toBe(0);
      expect(run.stdout).toContain(`Electron ${version} is installed: ${after.path}`);
      return;
    }
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`the Electron ${version} binary is missing and could not be downloaded`);
    expect(run.stderr).toMatch(/Why: .*\n.*(cannot reach|installer failed)/);
    expect(run.stderr).toContain('ELECTRON_MIRROR');
    expect(run.stderr).toContain('ELECTRON_OVERRIDE_DIST_PATH');
    expect(run.stderr).toContain('`replica-desk` command line');
    expect(run.stdout).not.toContain('is installed');
  });

  it('accepts a binary given through ELECTRON_OVERRIDE_DIST_PATH, as node_modules/electron does', () => {
    const dist = join(scratch, 'electron-dist');
    const expected = locateElectronBinary(undefined, { ELECTRON_OVERRIDE_DIST_PATH: dist }).path!;
    mkdirSync(dirname(expected), { recursive: true });
    writeFileSync(expected, '', { mode: 0o755 });
    const run = check({ ELECTRON_OVERRIDE_DIST_PATH: dist });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`Electron ${version} is installed: ${expected} (ELECTRON_OVERRIDE_DIST_PATH)`);
    expect(run.stdout).toMatch(/better-sqlite3 for Electron: /);
    expect(run.stdout).toMatch(/App build \(out\/\): /);
  });

  it('refuses an ELECTRON_OVERRIDE_DIST_PATH without a binary, naming the variable', () => {
    const run = check({ ELECTRON_OVERRIDE_DIST_PATH: join(scratch, 'nothing-here') });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('ELECTRON_OVERRIDE_DIST_PATH is set, but');
    expect(run.stderr).toContain(join(scratch, 'nothing-here'));
  });
});

describe('appBuildIsStale', () => {
  const root = join(scratch, 'project');
  const touch = (path: string, seconds: number): void => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), '');
    utimesSync(join(root, path), seconds, seconds);
  };

  it('rebuilds when a part of out/ is missing or older than src/, and not otherwise', () => {
    touch('src/main/index.ts', 1_000);
    touch('out/main/index.js', 2_000);
    touch('out/preload/index.js', 2_000);
    expect(appBuildIsStale(root)).toBe(true);
    touch('out/renderer/index.html', 2_000);
    utimesSync(join(root, 'src/main'), 1_000, 1_000);
    utimesSync(join(root, 'src'), 1_000, 1_000);
    expect(appBuildIsStale(root)).toBe(false);
    touch('src/main/index.ts', 3_000);
    expect(appBuildIsStale(root)).toBe(true);
  });
});

describe('summarizeBuildOutput', () => {
  it("keeps node-gyp's reason and drops its boilerplate", () => {
    const output = [
      'gyp info using node-gyp@12.4.0',
      'gyp http GET https://electronjs.org/headers/v45.4.1/node-v45.4.1-headers.tar.gz',
      'gyp ERR! stack Error: This is most likely not a problem with node-gyp or the package itself and',
      'gyp ERR! stack is related to network connectivity.',
      'gyp ERR! stack at go (/usr/lib/node_modules/npm/node_modules/node-gyp/lib/install.js:244:21)',
      'gyp ERR! System Linux 6.1',
      'gyp ERR! not ok',
    ].join('\n');
    const summary = summarizeBuildOutput(output);
    expect(summary).toContain('GET https://electronjs.org/headers');
    expect(summary).toContain('network connectivity');
    expect(summary).not.toMatch(/System Linux|not ok|install\.js:244/);
  });
});
