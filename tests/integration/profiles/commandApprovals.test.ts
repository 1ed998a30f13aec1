// Control commands run only once approved, end to end: a profiles file imported through the
// built CLI carries a status command that leaves a marker file when it runs. Until the admin
// approves it, topology reports "command not approved", preflight refuses, and the step code
// refuses to spawn it — the marker never appears. `profiles approve` shows it in full and asks
// for the name typed back on a TTY; renames carry approvals along (real keychain), deletes
// remove them.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openReplicaDesk, type ReplicaDesk } from '../../../src/main/core/replicaDesk';
import { CommandApprovals, CommandNotApprovedError } from '../../../src/main/core/profiles/commandApprovals';
import { RestoreResources } from '../../../src/main/core/restore/restoreResources';
import { DEFAULT_TIMEOUTS, type StepContext } from '../../../src/main/core/restore/stepContext';
import { readStatus } from '../../../src/main/core/restore/steps/serverControl';
import { KeytarSecretStore } from '../../../src/main/core/secrets/keytarSecretStore';
import { endpointBoundSecrets } from '../../harness/endpointBoundSecrets';
import type { TopologyDocument } from '../../../src/shared/topology';
import type { ImportSummary } from '../../../src/shared/api';
import type { Installation } from '../../../src/shared/profiles';
import { assertCliBuilt, repoRoot, runCli, type CliResult } from '../../harness/cli';
import { closedPort } from '../../harness/ports';

const tag = randomBytes(3).toString('hex');
const INST = `it-approve-${tag}`;
let work: string;
let home: string;
let statusMarker: string;
let stopMarker: string;
let statusCommand: string;
let stopCommand: string;
let core: ReplicaDesk;

const cli = (args: string[]) => runCli(args, { home });

/** The built CLI on a pseudo-terminal (util-linux `script`), with `typed` as what the admin types. */
function cliOnTty(args: string[], typed: string): Promise<CliResult> {
  const command = [process.execPath, join(repoRoot, 'bin', 'replica-desk.js'), ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qefc', command, '/dev/null'], { env: { ...process.env, REPLICA_DESK_HOME: home }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      // Answer once the question is on the terminal.
      if (stdout.includes('Type "') && !child.stdin.writableEnded) child.stdin.end(`${typed}\n`);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr: '' }));
  });
}

/** What a restore step gets, for the one thing under test: running a control command. */
function stepContext(installation: Installation): StepContext {
  const resources = new RestoreResources(installation, keychain.secrets, process.env, core.log);
  const server = installation.servers.find((s) => s.name === 'rls1')!;
  return {
    runId: 'test',
    plan: { installation, master: 'mls', replicas: ['rls1'], backup: { mode: 'dump', dir: work }, steps: [] },
    step: { seq: 1, id: 'stop-replica', replica: 'rls1', title: 'Stop rls1', destructive: false, manual: false, actions: [] },
    master: installation.servers[0]!,
    replica: server,
    resources,
    approvals: new CommandApprovals(core.store.db),
    tools: () => Promise.reject(new Error('not needed')),
    signal: new AbortController().signal,
    timeouts: DEFAULT_TIMEOUTS,
    runCaptured: () => ({}),
    captureRun: () => undefined,
    log: () => undefined,
    progress: () => undefined,
    confirm: async () => false,
  };
}

beforeAll(async () => {
  assertCliBuilt();
  work = mkdtempSync(join(tmpdir(), 'rd-approve-'));
  home = join(work, 'home');
  statusMarker = join(work, 'status-ran');
  stopMarker = join(work, 'stop-ran');
  statusCommand = `touch '${statusMarker}'; exit 1`;
  stopCommand = `touch '${stopMarker}'`;
  const port = await closedPort();
  const db = (user: string) => ({ host: '127.0.0.1', port, database: 'cm', user, sslmode: 'disable' });
  writeFileSync(
    join(work, 'profiles.json'),
    JSON.stringify({
      format: 'replica-desk/profiles@1',
      installations: [
        {
          name: INST,
          servers: [
            { name: 'mls', role: 'master', db: db('cm_master') },
            { name: 'rls1', role: 'replica', db: db('cm_rls1'), control: { stop: stopCommand, status: statusCommand } },
          ],
        },
      ],
    }),
  );
  core = openReplicaDesk({ home });
});

// The keychain as connections see it; running a control command reads no secret.
const keychain = endpointBoundSecrets(new KeytarSecretStore());

afterAll(() => {
  keychain.close();
  core?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('control command approvals', () => {
  it('import lists the new commands in full, awaiting approval', async () => {
    const imported = await cli(['profiles', 'import', join(work, 'profiles.json')]);
    expect(imported.code).toBe(0);
    expect(imported.stdout).toContain('Control commands awaiting approval');
    expect(imported.stdout).toContain(`replica-desk profiles approve ${INST}`);
    expect(imported.stdout).toContain(`${INST}/rls1 status (runs on local, new): NOT APPROVED`);
    expect(imported.stdout).toContain(statusCommand);
    expect(imported.stdout).toContain(stopCommand);

    const json = await cli(['profiles', 'import', join(work, 'profiles.json'), '--replace', '--json']);
    expect(json.code).toBe(0);
    const summary = JSON.parse(json.stdout) as ImportSummary & { ok: boolean };
    expect(summary.replaced).toEqual([INST]);
    // Unchanged but never approved: still listed, still not approved.
    expect(summary.commands.map((c) => [c.ref, c.kind, c.command, c.change, c.approved])).toEqual([
      [`${INST}/rls1`, 'stop', stopCommand, 'unchanged', false],
      [`${INST}/rls1`, 'status', statusCommand, 'unchanged', false],
    ]);
  });

  it('topology does not run an unapproved status command and says so', async () => {
    const json = await cli(['topology', INST, '--json', '--timeout-ms', '1000']);
    expect(json.code).toBe(0);
    const rls1 = (JSON.parse(json.stdout) as TopologyDocument).installations[0]!.servers.find((s) => s.name === 'rls1')!;
    expect(rls1.process).toMatchObject({ state: 'not-approved', exitCode: null, error: { code: 'command-not-approved' } });
    const human = await cli(['topology', INST, '--timeout-ms', '1000']);
    expect(human.stdout).toContain('command not approved');
    expect(existsSync(statusMarker)).toBe(false);
  });

  it('preflight refuses, naming the server, the kind and the fix; the plan still shows the commands', async () => {
    const { preflight, plan } = await core.restore.prepare({ installation: INST, replicas: [] });
    expect(preflight.ok).toBe(false);
    const refused = preflight.findings.filter((f) => f.check === 'command-not-approved');
    expect(refused.map((f) => [f.server, f.severity, f.ok])).toEqual([
      [`${INST}/rls1`, 'error', false],
      [`${INST}/rls1`, 'error', false],
    ]);
    expect(refused[0]!.message).toContain('stop command');
    expect(refused[1]!.message).toContain('status command');
    expect(refused[0]!.hint).toContain(`replica-desk profiles approve ${INST}/rls1`);
    expect(JSON.stringify(plan.steps)).toContain(stopCommand);
    expect(existsSync(statusMarker)).toBe(false);
    expect(existsSync(stopMarker)).toBe(false);
  });

  it('the step code refuses to spawn an unapproved command even without preflight', async () => {
    const ctx = stepContext(core.profiles.get(INST));
    await expect(readStatus(ctx, ctx.replica!)).rejects.toBeInstanceOf(CommandNotApprovedError);
    expect(existsSync(statusMarker)).toBe(false);
  });

  it('profiles approve needs a terminal or --yes: without either it exits 2 and approves nothing', async () => {
    const refused = await cli(['profiles', 'approve', INST]);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toContain(statusCommand);
    expect(refused.stderr).toContain('Nothing was approved');
    expect(core.commands.list({ installation: INST }).some((c) => c.approved)).toBe(false);
  });

  it('on a terminal, a wrong name approves nothing; the name typed back approves exactly what was shown', async () => {
    const wrong = await cliOnTty(['profiles', 'approve', `${INST}/rls1`], 'yes');
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toContain('Not confirmed');
    expect(core.commands.list({ installation: INST }).some((c) => c.approved)).toBe(false);

    const typed = await cliOnTty(['profiles', 'approve', `${INST}/rls1`], `${INST}/rls1`);
    expect(typed.stdout).toContain(statusCommand);
    expect(typed.code).toBe(0);
    expect(typed.stdout).toContain(`Approved 2 control commands of ${INST}/rls1`);
    expect(core.commands.list({ installation: INST }).every((c) => c.approved)).toBe(true);

    const again = await cli(['profiles', 'approve', INST]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('nothing to approve');
    const list = await cli(['profiles', 'list']);
    expect(list.stdout).toMatch(/rls1 .*2 commands approved/);
  });

  it('once approved, topology and the step code run it', async () => {
    const json = await cli(['topology', INST, '--json', '--timeout-ms', '5000']);
    const rls1 = (JSON.parse(json.stdout) as TopologyDocument).installations[0]!.servers.find((s) => s.name === 'rls1')!;
    expect(rls1.process).toMatchObject({ state: 'stopped', exitCode: 1 });
    expect(existsSync(statusMarker)).toBe(true);
    rmSync(statusMarker);
    const ctx = stepContext(core.profiles.get(INST));
    expect(await readStatus(ctx, ctx.replica!)).toEqual({ state: 'stopped' });
    expect(existsSync(statusMarker)).toBe(true);
    await ctx.resources.close();
  });

  it('an edit after preflight withdraws the approval: the plan\'s command is refused', async () => {
    rmSync(statusMarker, { force: true });
    const planned = core.profiles.get(INST);
    const ctx = stepContext(planned);
    await core.profiles.save({
      previousName: INST,
      installation: { ...planned, servers: planned.servers.map((s) => (s.name === 'rls1' ? { ...s, control: { ...s.control, status: `${statusCommand} # edited` } } : s)) },
    });
    await expect(readStatus(ctx, ctx.replica!)).rejects.toBeInstanceOf(CommandNotApprovedError);
    expect(existsSync(statusMarker)).toBe(false);
    // Put the approved text back for the next test: it needs a new approval, like any change.
    await core.profiles.save({ previousName: INST, installation: planned });
    expect(core.commands.list({ installation: INST, server: 'rls1' }).find((c) => c.kind === 'status')?.approved).toBe(false);
    core.commands.approve({ installation: INST }, core.commands.list({ installation: INST }));
  });

  it('renaming the installation and the server carries the approvals along; deleting removes them', async () => {
    const renamed = `${INST}-renamed`;
    const before = core.profiles.get(INST);
    await core.profiles.save({
      previousName: INST,
      installation: { ...before, name: renamed, servers: before.servers.map((s) => (s.name === 'rls1' ? { ...s, name: 'rls9' } : s)) },
      serverRenames: [{ from: 'rls1', to: 'rls9' }],
    });
    expect(core.commands.list({ installation: renamed, server: 'rls9' }).map((c) => c.approved)).toEqual([true, true]);
    const rows = () => core.store.db.prepare('SELECT installation, server FROM command_approvals WHERE installation IN (?, ?)').all(INST, renamed);
    expect(rows()).toEqual([
      { installation: renamed, server: 'rls9' },
      { installation: renamed, server: 'rls9' },
    ]);
    await core.profiles.delete(renamed);
    expect(rows()).toEqual([]);
  });
});
