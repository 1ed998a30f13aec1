// The sandbox through the built CLI, as a newcomer drives it, against real PostgreSQL
// clusters, stand-in server processes and the real keychain (scripts/with-keyring.sh):
// up → status → topology (the stale replica lags) → restore every replica → lag 0 → the run
// is a sandbox run → up again (reused, nothing regenerated) → down, which leaves no process,
// cluster (data directory, listening port, postgres process), keychain entry, profile or
// state row behind, while the run stays in the history marked [sandbox]. An installation
// named `sandbox` that the sandbox did not create is refused and left untouched; an
// installation of the admin's own and its keychain entry survive up and down.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeytarSecretStore } from '../../../src/main/core/secrets/keytarSecretStore';
import { accountFor } from '../../../src/main/core/secrets/secretStore';
import { readManifestFile, type SandboxManifest } from '../../../src/main/core/sandbox/sandboxMachine';
import { openStore } from '../../../src/main/core/store/database';
import { PROFILES_FORMAT } from '../../../src/shared/profiles';
import type { SandboxDownReport, SandboxStatus } from '../../../src/shared/sandbox';
import type { TopologyDocument } from '../../../src/shared/topology';
import type { RunRecord } from '../../../src/shared/runRecord';
import { assertCliBuilt, repoRoot, runCli } from '../../harness/cli';
import { processesMentioning } from '../../harness/processes';
import { useOwnKeyring } from './ownKeyring';

const tag = randomBytes(3).toString('hex');
const keychain = new KeytarSecretStore();
const own = `own-${tag}`;
const ownPassword = `own-secret-${tag}`;
let root: string;
let home: string;

const cli = (args: string[], stdin?: string) => runCli(args, { home, ...(stdin !== undefined ? { stdin } : {}) });
async function json<T>(args: string[]): Promise<T> {
  const result = await cli([...args, '--json']);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as T;
}
const profilesFile = (name: string) => {
  const file = join(root, `${name}.json`);
  const server = (n: string, role: 'master' | 'replica') => ({ name: n, role, db: { host: '127.0.0.1', port: 5999, database: 'cm', user: `cm_${n}` } });
  writeFileSync(file, JSON.stringify({ format: PROFILES_FORMAT, installations: [{ name, servers: [server('mls', 'master'), server('rls1', 'replica')] }] }));
  return file;
};
const lagOf = (doc: TopologyDocument, server: string) => doc.installations[0]!.servers.find((s) => s.name === server)!.lag;
const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
const alive = (pid: number) => existsSync(`/proc/${pid}`) && !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
const sandboxKeychainEntries = async () => {
  const accounts = ['mls', 'rls1', 'rls2'].flatMap((server) => (['db', 'ssh', 'tunnel'] as const).map((kind) => accountFor({ installation: 'sandbox', server }, kind)));
  const found: string[] = [];
  for (const account of accounts) if ((await keychain.get(account)) !== null) found.push(account);
  return found;
};

// A keyring of this file's own: the sandbox's keychain accounts are the same in every data directory (ownKeyring.ts).
useOwnKeyring();

beforeAll(async () => {
  assertCliBuilt();
  root = mkdtempSync(join(tmpdir(), 'rd-sandbox-cli-'));
  home = join(root, 'home');
  // The admin's own installation, with a keychain entry, before the sandbox exists.
  expect((await cli(['profiles', 'import', profilesFile(own)])).code).toBe(0);
  expect((await cli(['secrets', 'set', `${own}/rls1`, 'db'], ownPassword)).code).toBe(0);
}, 60_000);

afterAll(async () => {
  if (home && existsSync(join(home, 'replica-desk.sqlite'))) await cli(['sandbox', 'down']);
  await keychain.delete(accountFor({ installation: own, server: 'rls1' }, 'db'));
  if (root) rmSync(root, { recursive: true, force: true });
}, 120_000);

describe('an installation named sandbox that the sandbox did not create', () => {
  it('makes `sandbox up` refuse (exit 2) and stays untouched', async () => {
    const otherHome = join(root, 'other-home');
    const other = (args: string[]) => runCli(args, { home: otherHome });
    expect((await other(['profiles', 'import', profilesFile('sandbox')])).code).toBe(0);
    const before = (await other(['profiles', 'export'])).stdout;

    const refused = await other(['sandbox', 'up', '--size', '5', '--json']);
    expect(refused.code).toBe(2);
    expect(JSON.parse(refused.stdout).error).toMatchObject({ code: 'conflict', message: expect.stringContaining('did not create') });
    expect(refused.stderr).toMatch(/hint: Rename or delete that installation/);
    expect(existsSync(join(otherHome, 'sandbox'))).toBe(false);
    expect((await other(['profiles', 'export'])).stdout).toBe(before);
    expect(JSON.parse((await other(['sandbox', 'status', '--json'])).stdout)).toMatchObject({ exists: false });
  });
});

describe('what must hold before `sandbox up` makes anything', () => {
  const nothingMade = async (otherHome: string) => {
    expect(existsSync(join(otherHome, 'sandbox'))).toBe(false);
    expect(JSON.parse((await runCli(['sandbox', 'status', '--json'], { home: otherHome })).stdout)).toMatchObject({ exists: false });
  };

  it('missing PostgreSQL server programs: the package to install, nothing made', async () => {
    const otherHome = join(root, 'no-programs');
    const result = await runCli(['sandbox', 'up', '--size', '5', '--json'], { home: otherHome, env: { REPLICA_DESK_PG_SERVER_BIN: join(root, 'nowhere') } });
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout).error).toMatchObject({ code: 'sandbox-programs-missing', hint: expect.stringMatching(/install/i) });
    await nothingMade(otherHome);
  });

  it('a keychain that cannot be used: what to start or unlock, nothing made', async () => {
    const otherHome = join(root, 'no-keychain');
    const result = await runCli(['sandbox', 'up', '--size', '5', '--json'], { home: otherHome, env: { DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(root, 'no-bus')}` } });
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout).error).toMatchObject({ code: 'sandbox-keychain', message: expect.stringContaining('Nothing was created.') });
    await nothingMade(otherHome);
  });

  it('a --size out of range is bad usage (exit 2)', async () => {
    const result = await cli(['sandbox', 'up', '--size', '20001']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--size must be a whole number between 1 and 20000');
  });
});

describe('Ctrl-C during sandbox up', () => {
  it('cancels cleanly (exit 1, the lock freed), and down then removes what was made', async () => {
    const otherHome = join(root, 'cancelled');
    const child = spawn(process.execPath, [join(repoRoot, 'bin', 'replica-desk.js'), 'sandbox', 'up', '--size', '200'], {
      env: { ...process.env, REPLICA_DESK_HOME: otherHome },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
    await new Promise<void>((resolve) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (/^\[3\/8\] master: /m.test(stderr)) resolve();
      });
      void exited.then(() => resolve());
    });
    child.kill('SIGINT');
    expect(await exited, stderr).toBe(1);
    expect(stderr).toMatch(/Cancelling the sandbox build/);
    expect(stderr).toMatch(/sandbox up was cancelled; what it made so far is recorded\.\nhint: Run `replica-desk sandbox up` again/);

    const status = JSON.parse((await runCli(['sandbox', 'status', '--json'], { home: otherHome })).stdout) as SandboxStatus;
    expect(status).toMatchObject({ exists: true, busy: null });
    const down = await runCli(['sandbox', 'down', '--json'], { home: otherHome });
    expect(down.code, down.stderr).toBe(0);
    expect(processesMentioning(status.dir!)).toEqual([]);
    for (const c of status.clusters) expect(processesMentioning(c.dataDir)).toEqual([]);
    expect(existsSync(status.dir!)).toBe(false);
  }, 180_000);
});

describe('sandbox up, restore, up again, down', () => {
  let manifest: SandboxManifest;
  let runId: string;
  let dumpFile: string;

  it('builds the sandbox with progress on stderr and its status on stdout', async () => {
    const up = await cli(['sandbox', 'up', '--size', '5', '--json']);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stderr).toMatch(/^\[3\/8\] master: .*MB$/m);
    expect(up.stderr).toMatch(/^\[8\/8\] profiles: /m);
    const status = JSON.parse(up.stdout) as SandboxStatus;
    expect(status).toMatchObject({ exists: true, installation: 'sandbox', dir: join(home, 'sandbox'), sizeMb: 5, problems: [], profileImported: true, busy: null });
    expect(status.clusters.map((c) => [c.name, c.running])).toEqual([['a', true], ['b', true]]);
    expect(status.servers.map((s) => [s.name, s.layout, s.running])).toEqual([
      ['mls', 'shared-database', true],
      ['rls1', 'database-per-server', true],
      ['rls2', 'shared-database', true],
    ]);
    expect(status.keychain!.every((k) => k.stored)).toBe(true);
    manifest = readManifestFile(status.dir!)!;
    expect(manifest.clusters).toHaveLength(2);
  }, 240_000);

  it('reports the same in `sandbox status`, as text and JSON', async () => {
    const status = await json<SandboxStatus>(['sandbox', 'status']);
    expect(status.problems).toEqual([]);
    const text = await cli(['sandbox', 'status']);
    expect(text.stdout).toMatch(/^Sandbox "sandbox" in .* \(5 MB master, created /);
    expect(text.stdout).toMatch(/rls1 +replica +database-per-server +cluster b .* running +built stale/);
    expect(text.stdout).toContain('Keychain: 3 of 3 password(s) stored');
  });

  it('shows the stale replica lagging, restores every replica, and then the lag is 0', async () => {
    const before = await json<TopologyDocument>(['topology', 'sandbox']);
    const stale = manifest.servers.find((s) => s.builtStale)!.name;
    expect(BigInt(lagOf(before, stale)!)).toBeGreaterThan(0n);

    const restore = await cli(['restore', 'sandbox', '--yes', '--json']);
    expect(restore.code, restore.stderr).toBe(0);
    const record = JSON.parse(restore.stdout) as RunRecord;
    expect(record).toMatchObject({ status: 'succeeded', sandbox: true });
    expect(record.replicas.map((r) => r.replica).sort()).toEqual(['sandbox/rls1', 'sandbox/rls2']);
    runId = record.runId;
    dumpFile = record.dump!.file;
    expect(existsSync(dumpFile)).toBe(true);

    const after = await json<TopologyDocument>(['topology', 'sandbox']);
    expect(lagOf(after, 'rls1')).toBe('0');
    expect(lagOf(after, 'rls2')).toBe('0');
  }, 240_000);

  it('marks the run as a sandbox run in `runs list` and `runs show`', async () => {
    const list = await json<{ runs: RunRecord[] }>(['runs', 'list']);
    expect(list.runs.find((r) => r.runId === runId)).toMatchObject({ sandbox: true, installation: 'sandbox' });
    expect((await cli(['runs', 'list'])).stdout).toMatch(new RegExp(`${runId} +sandbox \\[sandbox\\]`));
    expect((await cli(['runs', 'show', runId])).stdout).toContain(`Run ${runId} (sandbox [sandbox], `);
  });

  it('reuses everything on a second up: same clusters and ports, nothing generated again', async () => {
    const again = await cli(['sandbox', 'up', '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/^\[3\/8\] master: .*\(reused\)$/m);
    expect(again.stderr).toMatch(/^\[4\/8\] replicas: .*\(reused\)$/m);
    expect(again.stderr).toMatch(/^\[7\/8\] keychain: .*\(reused\)$/m);
    expect(again.stderr).toMatch(/^\[8\/8\] profiles: .*\(reused\)$/m);
    expect(again.stderr).not.toMatch(/Generating|Making/);
    const reused = readManifestFile(manifest.dir)!;
    expect(reused.createdAt).toBe(manifest.createdAt);
    expect(reused.clusters.map((c) => c.port)).toEqual(manifest.clusters.map((c) => c.port));
  }, 120_000);

  it('down removes every process, cluster, keychain entry, profile and state row it made (even with its manifest file gone), and keeps the run', async () => {
    const postmasters = manifest.clusters.map((c) => Number(readFileSync(join(c.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]));
    const standIns = processesMentioning(join(manifest.dir, 'stand-in.sh'));
    expect(postmasters.every(alive)).toBe(true);
    expect(standIns.length).toBeGreaterThanOrEqual(3);

    // The manifest file lost (say, its directory cleaned by hand): the copy in SQLite stands in.
    rmSync(join(manifest.dir, 'sandbox.json'));
    expect((await json<SandboxStatus>(['sandbox', 'status'])).problems).toEqual([expect.stringMatching(/sandbox\.json is gone; the copy in the local database stands in/)]);

    const report = await json<SandboxDownReport>(['sandbox', 'down']);
    expect(report).toMatchObject({ existed: true, keptRuns: 1 });
    expect(report.removed).toEqual(expect.arrayContaining(['keychain entry sandbox/mls/db: removed', expect.stringMatching(/^cluster a \(port \d+\): stopped, data directory removed$/)]));

    // No process: stand-ins, postmasters, or anything else running from the sandbox's places.
    expect([...postmasters, ...standIns].filter(alive)).toEqual([]);
    for (const c of manifest.clusters) {
      expect(processesMentioning(c.dataDir)).toEqual([]);
      expect(existsSync(c.root)).toBe(false);
      expect(await listening(c.port)).toBe(false);
    }
    expect(processesMentioning(manifest.dir)).toEqual([]);
    expect(existsSync(manifest.dir)).toBe(false);
    // No keychain entry, read both through the product's store and with secret-tool.
    expect(await sandboxKeychainEntries()).toEqual([]);
    const listed = execFileSync('secret-tool', ['search', '--all', 'service', 'replica-desk'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(listed).not.toMatch(/account = sandbox\//);
    // No profile, approval, binding, cached topology, state or lock row.
    expect((await json<{ installations: Array<{ name: string }> }>(['profiles', 'list'])).installations.map((i) => i.name)).toEqual([own]);
    const store = openStore(join(home, 'replica-desk.sqlite'));
    try {
      const count = (sql: string) => store.db.prepare(sql).pluck().get() as number;
      expect(count('SELECT count(*) FROM sandbox')).toBe(0);
      expect(count('SELECT count(*) FROM sandbox_lock')).toBe(0);
      expect(count("SELECT count(*) FROM command_approvals WHERE installation = 'sandbox'")).toBe(0);
      expect(count("SELECT count(*) FROM secret_bindings WHERE account LIKE 'sandbox/%'")).toBe(0);
      expect(count("SELECT count(*) FROM topology_snapshots WHERE installation = 'sandbox'")).toBe(0);
    } finally {
      store.close();
    }
    // The run stays, marked; its dump and the schemas it kept aside went with the sandbox.
    expect(report.removed).toContain(`dump of run ${runId} (${dumpFile}): deleted`);
    expect(existsSync(dumpFile)).toBe(false);
    const shown = await json<RunRecord>(['runs', 'show', runId]);
    expect(shown).toMatchObject({ sandbox: true, dump: { state: 'deleted', deleted: { reason: 'sandbox-down' } } });
    expect(shown.replicas.map((r) => r.kept?.state)).toEqual(['discarded', 'discarded']);
    expect((await cli(['runs', 'show', runId])).stdout).toContain('dump deleted (with the sandbox, ');
    expect((await json<{ runs: RunRecord[] }>(['runs', 'list'])).runs.find((r) => r.runId === runId)).toMatchObject({ sandbox: true });
    expect((await cli(['runs', 'list'])).stdout).toMatch(new RegExp(`${runId} +sandbox \\[sandbox\\]`));
  }, 120_000);

  it('a second down finds nothing to remove and exits 0', async () => {
    expect(await json<SandboxDownReport>(['sandbox', 'down'])).toEqual({ removed: [], keptRuns: 1, existed: false });
    expect((await cli(['sandbox', 'down'])).stdout).toMatch(/^No sandbox to remove\.\n1 sandbox run\(s\) stay in the history/);
  });

  it('left the admin\'s own installation and its keychain entry alone', async () => {
    expect((await keychain.get(accountFor({ installation: own, server: 'rls1' }, 'db')))?.reveal()).toBe(ownPassword);
    expect((await json<{ installations: Array<{ name: string }> }>(['profiles', 'list'])).installations.map((i) => i.name)).toEqual([own]);
  });
});
