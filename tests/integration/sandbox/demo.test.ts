// `npm run demo` end to end (node scripts/demo.mjs, as `npm run demo` runs it), against the real
// sandbox with a small master and a private data directory (REPLICA_DESK_HOME): with a Secret
// Service (a private keyring), it leaves the sandbox up and says how to open and remove it;
// headless (no D-Bus session, as CI), it runs itself inside a throwaway keyring and tears the
// sandbox down at its end; without PostgreSQL it names the stage, the CLI's error and hint.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertCliBuilt, repoRoot, runCli } from '../../harness/cli';
import { processesMentioning } from '../../harness/processes';
import { withoutPostgres, withoutPostgresUnavailable } from '../../harness/withoutPostgres';
import { privateKeyringUnavailable, startPrivateKeyring, type PrivateKeyring } from '../secrets/privateKeyring';

const demo = join(repoRoot, 'scripts', 'demo.mjs');

function runDemo(args: string[], env: NodeJS.ProcessEnv, wrap: (argv: string[]) => string[] = (a) => a): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const [file, ...rest] = wrap([process.execPath, demo, ...args]);
  return new Promise((resolve, reject) => {
    const child = spawn(file!, rest, { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The table the demo printed for a stage ("topology before" / "topology after"). */
function tableOf(stderr: string, stage: string): string {
  const start = stderr.indexOf(` ${stage}\n`);
  expect(start, `stage ${stage} in:\n${stderr}`).toBeGreaterThan(0);
  return stderr.slice(start, stderr.indexOf(`✓ ${stage} (`, start));
}

describe.skipIf(privateKeyringUnavailable())('npm run demo', () => {
  let keyring: PrivateKeyring;
  const homes: string[] = [];
  const newHome = () => {
    const home = mkdtempSync(join(tmpdir(), 'rd-demo-'));
    homes.push(home);
    return home;
  };
  beforeAll(async () => {
    assertCliBuilt();
    keyring = await startPrivateKeyring();
  }, 60_000);
  afterAll(async () => {
    for (const home of homes) {
      await runCli(['sandbox', 'down'], { home, env: keyring.env }).catch(() => undefined);
      rmSync(home, { recursive: true, force: true });
    }
    await keyring?.stop();
  }, 180_000);

  it('with a Secret Service: the lagging replica flagged, every replica restored to lag 0, the sandbox left up with how to go on', async () => {
    const home = newHome();
    const run = await runDemo(['--size', '5'], { ...process.env, ...keyring.env, REPLICA_DESK_HOME: home });
    expect(run.code, run.stderr).toBe(0);

    const before = tableOf(run.stderr, 'topology before');
    expect(before).toMatch(/rls\d .*◀ LAGGING: \d+ changes? behind the master/);
    expect(before).toMatch(/shared db/);
    expect(before).toMatch(/own db/);
    const after = tableOf(run.stderr, 'topology after');
    expect(after).not.toContain('LAGGING');
    expect(after.match(/✓ up to date/g)).toHaveLength(2);
    // The run summary, and each stage's time and the total.
    expect(run.stderr).toMatch(/Run \S+ \(sandbox \[sandbox\], [\w-]+\): SUCCEEDED/);
    for (const stage of ['sandbox up', 'topology before', 'restore every replica', 'topology after']) expect(run.stderr).toMatch(new RegExp(`✓ ${stage} \\(\\d+\\.\\d s\\)`));
    expect(run.stderr).toMatch(/Timings: .* total \d+\.\d s/);
    expect(run.stdout).toContain('npm start');
    expect(run.stdout).toContain(`Tear it down:       REPLICA_DESK_HOME='${home}' npx replica-desk sandbox down`);

    // The sandbox stays up, the run is in its history, marked as a sandbox run.
    const status = JSON.parse((await runCli(['sandbox', 'status', '--json'], { home, env: keyring.env })).stdout);
    expect(status.exists).toBe(true);
    const runs = JSON.parse((await runCli(['runs', 'list', '--json'], { home, env: keyring.env })).stdout).runs;
    expect(runs.map((r: any) => [r.installation, r.status, r.sandbox])).toEqual([['sandbox', 'succeeded', true]]);
    // A second demo reuses the sandbox and restores again.
    const again = await runDemo(['--size', '5'], { ...process.env, ...keyring.env, REPLICA_DESK_HOME: home });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/reus/i);

    const down = await runCli(['sandbox', 'down'], { home, env: keyring.env });
    expect(down.code, down.stderr).toBe(0);
  }, 300_000);

  it('headless (no Secret Service): runs itself in a throwaway keyring and tears the sandbox down at its end', async () => {
    const home = newHome();
    const runtime = mkdtempSync(join(tmpdir(), 'rd-demo-runtime-'));
    homes.push(runtime);
    const env: NodeJS.ProcessEnv = { ...process.env, REPLICA_DESK_HOME: home, XDG_RUNTIME_DIR: runtime };
    for (const name of ['DBUS_SESSION_BUS_ADDRESS', 'DISPLAY', 'WAYLAND_DISPLAY']) delete env[name];
    const run = await runDemo(['--size', '5'], env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/No Secret Service answers here/);
    expect(run.stderr).toMatch(/throwaway keyring/);
    expect(run.stderr).toMatch(/✓ sandbox down \(\d+\.\d s\)/);
    expect(tableOf(run.stderr, 'topology before')).toContain('LAGGING');
    expect(run.stdout).toMatch(/torn down again/);
    expect(run.stdout).toMatch(/start a Secret Service/);

    const status = JSON.parse((await runCli(['sandbox', 'status', '--json'], { home, env: keyring.env })).stdout);
    expect(status.exists).toBe(false);
    expect(processesMentioning(home)).toEqual([]);
    expect(spawnSync('sh', ['-c', `ls '${join(home, 'sandbox')}' 2>/dev/null`]).stdout.toString()).toBe('');
  }, 300_000);

  it.skipIf(withoutPostgresUnavailable())('without PostgreSQL: names the stage, prints the CLI\'s error and hint, exits non-zero', async () => {
    const home = newHome();
    const run = await runDemo([], { ...process.env, ...keyring.env, REPLICA_DESK_HOME: home }, withoutPostgres);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/✗ The demo failed at stage 1\/4, "sandbox up"/);
    expect(run.stderr).toMatch(/replica-desk: .*PostgreSQL/);
    expect(run.stderr).toMatch(/hint: .*apt-get install postgresql/);
    // Refused before anything was made: nothing to look at or remove.
    expect(run.stderr).not.toMatch(/stays, to look at/);
    expect(run.stdout).toBe('');
  }, 120_000);
});
