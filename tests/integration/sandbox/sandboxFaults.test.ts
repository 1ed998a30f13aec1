// The sandbox on a bad day, through the built CLI with a private data directory and a keyring of
// its own (so S's sandbox tests, which use the same `sandbox/*` keychain accounts, never race
// these): kill -9 during `sandbox up` while the master is generated, then `up` again or `down`
// directly; two `sandbox up` at once; no PostgreSQL programs on the machine; a full disk.
// Each scenario ends with `sandbox down` and proves nothing is left: no process for the
// sandbox's directories, nothing on its ports, no directory, no state, no keychain entry.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertCliBuilt, repoRoot, runCli, startCliInBackground, type BackgroundCli, type CliResult } from '../../harness/cli';
import { processesMentioning } from '../../harness/processes';
import { withoutPostgres, withoutPostgresUnavailable } from '../../harness/withoutPostgres';
import { privateKeyringUnavailable, startPrivateKeyring, type PrivateKeyring } from '../secrets/privateKeyring';

const SIZE_MB = '5';
/** Big enough that the master's generation lasts long enough to be caught and killed. */
const KILL_SIZE_MB = '30';
const SERVERS = ['mls', 'rls1', 'rls2'] as const;

/** The parts of `<dir>/sandbox.json` (M's SandboxManifest) these checks read. */
interface ManifestView {
  dir: string;
  clusters: Array<{ name: string; port: number; dataDir: string; root: string }>;
  servers: Array<{ name: string; standInDir: string }>;
  /** Everything the sandbox created; some may live outside `dir` (where the postgres user can reach them). */
  paths: string[];
}


/** A process's command line, words joined by spaces ('' once it is gone). */
function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(what: string, probe: () => T | null | undefined | false, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(25);
  }
}

/** Whether anything accepts a connection on 127.0.0.1:port. */
function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe.skipIf(privateKeyringUnavailable())('sandbox faults', () => {
  let keyring: PrivateKeyring;
  const homes: string[] = [];
  const scratch: string[] = [];

  beforeAll(async () => {
    assertCliBuilt();
    keyring = await startPrivateKeyring();
  }, 60_000);
  afterAll(async () => {
    // Whatever a failed scenario left: down in each home, then the keyring.
    for (const home of homes) await sandbox(home, ['down']).catch(() => undefined);
    for (const dir of [...homes, ...scratch]) rmSync(dir, { recursive: true, force: true });
    await keyring?.stop();
  }, 180_000);

  const newHome = () => {
    const home = mkdtempSync(join(tmpdir(), 'rd-sandbox-faults-'));
    homes.push(home);
    return home;
  };
  function sandbox(home: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
    return runCli(['sandbox', ...args], { home, env: { ...keyring.env, ...env } });
  }
  const startUp = (home: string, args: string[] = []): BackgroundCli =>
    startCliInBackground(['sandbox', 'up', '--size', SIZE_MB, ...args], { home, env: keyring.env });
  const statusOf = async (home: string) => {
    const result = await sandbox(home, ['status', '--json']);
    expect(result.code, result.stderr).toBe(0);
    return JSON.parse(result.stdout);
  };
  const defaultDir = (home: string) => join(home, 'sandbox');
  const manifestAt = (dir: string): ManifestView | null => {
    try {
      return JSON.parse(readFileSync(join(dir, 'sandbox.json'), 'utf8')) as ManifestView;
    } catch {
      return null;
    }
  };
  const keychainHas = (account: string) =>
    spawnSync('secret-tool', ['lookup', 'service', 'replica-desk', 'account', account], { env: { ...process.env, ...keyring.env }, encoding: 'utf8' }).stdout !== '';
  const sandboxEntries = () => SERVERS.map((s) => `sandbox/${s}/db`).filter(keychainHas);

  /** The processes a sandbox directory accounts for: clusters (`postgres -D <dataDir>`) and stand-ins (their directories). */
  const processesOf = (dir: string) => processesMentioning(dir);

  async function expectWorkingSandbox(home: string): Promise<void> {
    const status = await statusOf(home);
    expect(status.exists).toBe(true);
    expect(status.problems).toEqual([]);
    expect(status.clusters.map((c: any) => [c.name, c.running])).toEqual([
      ['a', true],
      ['b', true],
    ]);
    expect(status.servers.map((s: any) => [s.name, s.running]).sort()).toEqual(SERVERS.map((s) => [s, true]));
    expect(sandboxEntries()).toEqual(SERVERS.map((s) => `sandbox/${s}/db`));
    const profiles = JSON.parse((await runCli(['profiles', 'list', '--json'], { home, env: keyring.env })).stdout);
    expect(JSON.stringify(profiles)).toContain('"sandbox"');
  }

  /** `sandbox down` ran: nothing of the sandbox is left, in the process table, on its ports, on disk, in the state or the keychain. */
  async function expectNothingLeft(home: string, dir: string, manifest: ManifestView | null, options: { dirWasThere?: boolean } = {}): Promise<void> {
    expect(processesOf(dir)).toEqual([]);
    for (const c of manifest?.clusters ?? []) {
      expect(processesMentioning(c.dataDir)).toEqual([]);
      expect(await portAnswers(c.port), `port ${c.port} of cluster ${c.name}`).toBe(false);
      expect(existsSync(c.dataDir)).toBe(false);
    }
    for (const s of manifest?.servers ?? []) expect(processesMentioning(s.standInDir), `stand-in ${s.name}`).toEqual([]);
    expect((manifest?.paths ?? []).filter((p) => existsSync(p))).toEqual([]);
    // A directory the sandbox made goes; one that was there before stays, emptied of what it made.
    if (options.dirWasThere) expect(readdirSync(dir)).toEqual([]);
    else expect(existsSync(dir)).toBe(false);
    const status = await statusOf(home);
    expect(status.exists).toBe(false);
    expect(sandboxEntries()).toEqual([]);
    const profiles = await runCli(['profiles', 'list', '--json'], { home, env: keyring.env });
    expect(profiles.code).toBe(0);
    expect(JSON.stringify(JSON.parse(profiles.stdout))).not.toContain('"sandbox"');
  }

  /** Starts `sandbox up` and kills it (SIGKILL) while the master's database is being generated; returns the manifest it left. */
  async function killDuringMaster(home: string): Promise<ManifestView> {
    const up = startCliInBackground(['sandbox', 'up', '--size', KILL_SIZE_MB], { home, env: keyring.env });
    try {
      // The master phase has begun and some of it is written (a progress line with MB done).
      await waitFor('the master phase of sandbox up', () => /^\[\d+\/\d+\] master: .*\b[1-9]\d* of \d+ MB/m.test(up.stderr()) || up.child.exitCode !== null);
      expect(up.child.exitCode, up.stderr()).toBeNull();
      await sleep(300);
      expect(up.child.exitCode, `sandbox up ended before it was killed:\n${up.stderr()}`).toBeNull();
    } finally {
      up.child.kill('SIGKILL');
    }
    const ended = await up.done;
    expect(ended.signal).toBe('SIGKILL');
    const manifest = manifestAt(defaultDir(home));
    expect(manifest, 'the manifest records what exists so far').not.toBeNull();
    // The clusters outlive the CLI: they are what down must find and stop.
    expect(manifest!.clusters.length).toBeGreaterThan(0);
    return manifest!;
  }

  it('kill -9 while the master is generated, then up again: it completes (reusing what exists), and down leaves nothing', async () => {
    const home = newHome();
    const killed = await killDuringMaster(home);

    const again = await sandbox(home, ['up', '--size', KILL_SIZE_MB]);
    expect(again.code, again.stderr).toBe(0);
    await expectWorkingSandbox(home);
    const manifest = manifestAt(defaultDir(home))!;
    // Repaired in place: the clusters the killed run made are the ones in use.
    expect(manifest.clusters.map((c) => c.dataDir).sort()).toEqual(killed.clusters.map((c) => c.dataDir).sort());

    const down = await sandbox(home, ['down']);
    expect(down.code, down.stderr).toBe(0);
    await expectNothingLeft(home, defaultDir(home), manifest);
  }, 300_000);

  it('kill -9 while the master is generated, then down directly: nothing is left', async () => {
    const home = newHome();
    const killed = await killDuringMaster(home);
    // The clusters outlive the killed CLI (wherever they live: as root, where `postgres` can enter).
    for (const c of killed.clusters) expect(processesMentioning(c.dataDir), `cluster ${c.name}`).toHaveLength(1);

    const down = await sandbox(home, ['down', '--json']);
    expect(down.code, down.stderr).toBe(0);
    const report = JSON.parse(down.stdout);
    expect(report.existed).toBe(true);
    expect(report.removed.length).toBeGreaterThan(0);
    await expectNothingLeft(home, defaultDir(home), killed);
  }, 300_000);

  it('kill -9 during initdb: initdb dies with the CLI, then up again completes and down leaves nothing', async () => {
    const home = newHome();
    const up = startUp(home);
    /** initdb processes (or runuser/setpriv around them) for one of the recorded clusters. */
    const initdbs = () => (manifestAt(defaultDir(home))?.clusters ?? []).flatMap((c) => processesMentioning(c.dataDir).filter((pid) => commandLine(pid).includes('initdb')));
    try {
      await waitFor('initdb of a sandbox cluster', () => initdbs().length > 0 || up.child.exitCode !== null, 60_000);
      expect(up.child.exitCode, `sandbox up ended before initdb was seen:\n${up.stderr()}`).toBeNull();
    } finally {
      up.child.kill('SIGKILL');
    }
    expect((await up.done).signal).toBe('SIGKILL');
    // Not left writing into a directory the next up would clean and initialise again.
    // At once: a surviving initdb would go on for a second or more.
    await waitFor('no initdb left', () => initdbs().length === 0, 3_000);

    const again = await sandbox(home, ['up', '--size', SIZE_MB]);
    expect(again.code, again.stderr).toBe(0);
    await expectWorkingSandbox(home);
    const manifest = manifestAt(defaultDir(home))!;
    const down = await sandbox(home, ['down']);
    expect(down.code, down.stderr).toBe(0);
    await expectNothingLeft(home, defaultDir(home), manifest);
  }, 300_000);

  it('two sandbox up at once (same data directory): one builds, and the end state is one working sandbox', async () => {
    const home = newHome();
    const first = startUp(home);
    const second = startUp(home);
    const [a, b] = await Promise.all([first.done, second.done]);
    const results = [a, b];
    // Both may succeed (the second waited and reused) or the loser failed fast saying another
    // `sandbox up` is running; never two builds, never both failing.
    const succeeded = results.filter((r) => r.code === 0);
    expect(succeeded.length, `${a.stderr}\n---\n${b.stderr}`).toBeGreaterThanOrEqual(1);
    for (const r of results.filter((x) => x.code !== 0)) {
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/another|already|in progress|busy|lock/i);
      expect(r.stderr).toMatch(/hint: /);
    }
    // One build: only one process generated the master (a second that waited reports it reused).
    const generated = results.filter((r) => /^\[\d+\/\d+\] master: (?!.*\(reused\)$)/m.test(r.stderr));
    expect(generated.length, `${a.stderr}\n---\n${b.stderr}`).toBe(1);

    await expectWorkingSandbox(home);
    const manifest = manifestAt(defaultDir(home))!;
    // Exactly the two clusters of one sandbox run: one postmaster per data directory, no other.
    expect(manifest.clusters).toHaveLength(2);
    for (const c of manifest.clusters) expect(processesMentioning(c.dataDir)).toHaveLength(1);
    expect(readdirSync(defaultDir(home)).filter((f) => /^cluster|^pg|data/i.test(f)).length).toBeLessThanOrEqual(2);

    const down = await sandbox(home, ['down']);
    expect(down.code, down.stderr).toBe(0);
    await expectNothingLeft(home, defaultDir(home), manifest);
  }, 300_000);

  describe.skipIf(withoutPostgresUnavailable())('on a machine without PostgreSQL', () => {
    function upWithoutPostgres(home: string): CliResult {
      const [file, ...args] = withoutPostgres([process.execPath, join(repoRoot, 'bin', 'replica-desk.js'), 'sandbox', 'up', '--size', SIZE_MB, '--json']);
      const run = spawnSync(file!, args, { env: { ...process.env, ...keyring.env, REPLICA_DESK_HOME: home }, encoding: 'utf8', timeout: 60_000 });
      return { code: run.status ?? -1, stdout: run.stdout, stderr: run.stderr };
    }

    it('sandbox up stops with the package to install, and creates nothing', async () => {
      const home = newHome();
      const up = upWithoutPostgres(home);
      expect(up.code, up.stderr).toBe(1);
      const error = JSON.parse(up.stdout).error;
      expect(error.message).toMatch(/PostgreSQL|initdb|pg_ctl/);
      // This machine is Debian: the hint names apt and the server package.
      expect(error.hint).toMatch(/apt(-get)? install[^\n]*postgresql/);
      expect(up.stderr).toContain(`hint: ${error.hint}`);
      expect(existsSync(defaultDir(home))).toBe(false);
      expect(sandboxEntries()).toEqual([]);
      const status = await statusOf(home);
      expect(status.exists).toBe(false);
      expect(JSON.stringify(JSON.parse((await runCli(['profiles', 'list', '--json'], { home, env: keyring.env })).stdout))).not.toContain('"sandbox"');
    }, 120_000);
  });

  describe.skipIf(withoutPostgresUnavailable())('on a full disk', () => {
    let mount: string;
    let home: string | undefined;
    beforeAll(() => {
      mount = mkdtempSync(join(tmpdir(), 'rd-full-'));
      scratch.push(mount);
      // Room for the two clusters, not for the master's data: the disk fills while the master is
      // generated. World-traversable, so that as root the clusters live on it too (the server's
      // user must be able to enter the sandbox's directory).
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=120m,mode=0755', 'tmpfs', mount]);
    });
    afterAll(async () => {
      if (home) await sandbox(home, ['down']).catch(() => undefined);
      if (mount && spawnSync('umount', [mount]).status !== 0) spawnSync('umount', ['-l', mount]);
    }, 120_000);

    it('sandbox up --dir on a full filesystem fails with a clear disk-full error, and down removes what it made', async () => {
      home = newHome();
      const up = await sandbox(home, ['up', '--size', '300', '--dir', mount, '--json']);
      expect(up.code, up.stderr).toBe(1);
      const error = JSON.parse(up.stdout).error;
      // The admin's to fix, not "a bug in Replica Desk": what ran full, and what to do.
      expect(error.code).toBe('disk-full');
      expect(error.message).toContain(mount);
      expect(error.message).toMatch(/No space left on device/);
      expect(error.hint).toMatch(/--size MB/);
      expect(error.hint).toContain('sandbox down');
      expect(up.stderr).toContain(`hint: ${error.hint}`);
      const manifest = manifestAt(mount);
      expect(manifest?.clusters.every((c) => c.dataDir.startsWith(`${mount}/`)), 'the clusters live on the full filesystem').toBe(true);

      const down = await sandbox(home, ['down']);
      expect(down.code, down.stderr).toBe(0);
      await expectNothingLeft(home, mount, manifest, { dirWasThere: true });
    }, 300_000);
  });
});
