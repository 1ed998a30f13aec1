// Teardown never touches what the manifest does not own: a pid file naming a process that is
// not our stand-in (here: this test's own process, and a `sleep`), a cluster directory outside
// the recorded paths, files beside the recorded ones. And the manifest file round-trips, and
// a damaged one is refused with a hint.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_INSTALLATION } from '../../../src/shared/sandbox';
import {
  manifestPath,
  readManifestFile,
  sandboxProfiles,
  teardownSandbox,
  writeManifestFile,
  type SandboxManifest,
} from '../../../src/main/core/sandbox/sandboxMachine';
import { standInFiles } from '../../../src/main/core/sandbox/standInServer';

let root: string;
let dir: string;
let manifest: SandboxManifest;

function server(name: 'mls' | 'rls1' | 'rls2', cluster: 'a' | 'b', database: string, user: string): SandboxManifest['servers'][number] {
  const installDir = join(dir, 'servers', name);
  return {
    name,
    role: name === 'mls' ? 'master' : 'replica',
    layout: cluster === 'b' ? 'database-per-server' : 'shared-database',
    cluster,
    database,
    schema: user,
    user,
    standInDir: join(installDir, 'stand-in'),
    installDir,
    control: { start: 'true', stop: 'true', status: 'false' },
    builtStale: name === 'rls1',
  };
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'rd-sandbox-teardown-'));
  dir = join(root, 'sandbox');
  mkdirSync(dir);
  const foreignCluster = join(root, 'someone-elses-cluster');
  mkdirSync(join(foreignCluster, 'data'), { recursive: true });
  manifest = {
    version: 1,
    dir,
    createdAt: new Date().toISOString(),
    sizeMb: 1,
    pg: { binDir: join(root, 'no-such-bin'), clientBinDir: join(root, 'no-such-bin'), version: '15.0' },
    clusters: [
      { name: 'a', port: 5999, root: join(dir, 'clusters', 'a'), dataDir: join(dir, 'clusters', 'a', 'data'), superPasswordFile: join(dir, 'clusters', 'a', 'pw'), socketDir: '' },
      { name: 'b', port: 5998, root: foreignCluster, dataDir: join(foreignCluster, 'data'), superPasswordFile: join(foreignCluster, 'pw'), socketDir: '' },
    ],
    servers: [server('mls', 'a', 'coremedia', 'cm_master'), server('rls1', 'b', 'cm_rls1', 'cm_rls1'), server('rls2', 'a', 'coremedia', 'cm_rls2')],
    keyFile: null,
    pgpassFile: join(dir, 'pgpass'),
    paths: [join(dir, 'clusters'), join(dir, 'servers'), join(dir, 'pgpass')],
    createdDir: false,
  };
  mkdirSync(join(dir, 'clusters', 'a', 'data'), { recursive: true });
  for (const s of manifest.servers) mkdirSync(s.standInDir, { recursive: true });
  writeFileSync(manifest.pgpassFile, '127.0.0.1:*:coremedia:cm_master:x\n', { mode: 0o600 });
  writeFileSync(join(dir, 'not-ours.txt'), 'keep');
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('the sandbox manifest', () => {
  it('round-trips through sandbox.json (0600) and is refused with a hint when damaged', () => {
    // (cluster b's root, outside the sandbox's places, is there for the teardown test below: a manifest file may not name it)
    const own = { ...manifest, clusters: [manifest.clusters[0]!] };
    writeManifestFile(own);
    expect(statSync(manifestPath(dir)).mode & 0o777).toBe(0o600);
    expect(readManifestFile(dir)).toEqual(own);
    writeFileSync(manifestPath(dir), '{"version": 2}');
    expect(() => readManifestFile(dir)).toThrow(/cannot be read: version/);
    expect(readManifestFile(join(root, 'nowhere'))).toBeNull();
  });

  it('is refused when it names a path teardown would remove outside the sandbox\'s places, or describes another directory', () => {
    const outside = { ...manifest, clusters: [manifest.clusters[0]!], paths: [...manifest.paths, '/home', join(dir, '..', '..', 'etc')] };
    writeManifestFile(outside);
    expect(() => readManifestFile(dir)).toThrow(/paths\.3: \/home is neither inside .* nor a replica-desk-sandbox-\* directory/);
    expect(() => readManifestFile(dir)).toThrow(/paths\.4: /);
    writeManifestFile({ ...manifest });
    expect(() => readManifestFile(dir)).toThrow(/clusters\.1\.root: .*someone-elses-cluster is neither inside/);
    const elsewhere = join(root, 'elsewhere');
    mkdirSync(elsewhere, { recursive: true });
    writeFileSync(manifestPath(elsewhere), JSON.stringify({ ...manifest, clusters: [manifest.clusters[0]!] }));
    expect(() => readManifestFile(elsewhere)).toThrow(/describes a sandbox in .*sandbox, not in .*elsewhere/);
    const tmpCluster = join('/var/tmp', 'replica-desk-sandbox-0123456789ab');
    writeManifestFile({ ...manifest, clusters: [manifest.clusters[0]!, { ...manifest.clusters[1]!, root: tmpCluster, dataDir: join(tmpCluster, 'b', 'data'), superPasswordFile: join(tmpCluster, 'pw') }], paths: [...manifest.paths, tmpCluster] });
    expect(readManifestFile(dir)?.paths).toContain(tmpCluster);
    rmSync(manifestPath(dir));
  });

  it('gives the installation `sandbox` with rls1 in its own database on cluster b and rls2 beside the master', () => {
    const inst = sandboxProfiles(manifest).installations[0]!;
    expect(inst.name).toBe(SANDBOX_INSTALLATION);
    expect(inst.servers.map((s) => [s.name, s.role, s.db.port, s.db.database, s.db.schema, s.encryptedPasswords, s.host.access])).toEqual([
      ['mls', 'master', 5999, 'coremedia', 'cm_master', true, 'local'],
      ['rls1', 'replica', 5998, 'cm_rls1', 'cm_rls1', false, 'local'],
      ['rls2', 'replica', 5999, 'coremedia', 'cm_rls2', false, 'local'],
    ]);
  });
});

describe('teardown', () => {
  it('kills no process that is not our stand-in, leaves an unrecorded cluster directory and others\' files alone', async () => {
    const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      writeFileSync(standInFiles(manifest.servers[0]!.standInDir).pidFile, `${process.pid}\n`);
      writeFileSync(standInFiles(manifest.servers[1]!.standInDir).pidFile, `${sleeper.pid}\n`);
      writeManifestFile(manifest);
      const removed = await teardownSandbox(manifest, () => undefined);
      expect(removed).toContain('stand-in mls: not running (stale pid file removed)');
      expect(removed).toContain('stand-in rls1: not running (stale pid file removed)');
      expect(removed.join('\n')).toMatch(/cluster b: left alone/);
      expect(sleeper.exitCode).toBeNull();
      expect(existsSync(manifest.clusters[1]!.dataDir)).toBe(true);
      for (const path of manifest.paths) expect(existsSync(path)).toBe(false);
      expect(existsSync(manifestPath(dir))).toBe(false);
      expect(readFileSync(join(dir, 'not-ours.txt'), 'utf8')).toBe('keep');
    } finally {
      sleeper.kill();
    }
  });
});
