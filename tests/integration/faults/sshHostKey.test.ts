// The SSH replica's host offers a key other than the one in the profile (a reinstalled host,
// or someone in between): preflight refuses, naming the key offered, before anything is sent
// to that host or anything is stopped. Without a pinned key, the host must be in the user's
// known_hosts. Against a real sshd.
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertCliBuilt } from '../../harness/cli';
import { runShell, schemaFingerprint, startRestoreEnvironment, type RestoreEnvironment } from '../../harness/restoreEnvironment';
import { expectNothingLeftBehind } from './faultRun';

describe('a wrong SSH host key for the replica reached over SSH', () => {
  let env: RestoreEnvironment;
  let masterBefore: string;
  const outputs: string[] = [];
  beforeAll(async () => {
    assertCliBuilt();
    env = await startRestoreEnvironment({ privateTmp: true });
    masterBefore = await env.masterFingerprint();
  }, 180_000);
  afterAll(async () => env?.stop());

  it('is refused at preflight naming the offered fingerprint and the expected one; nothing is stopped or dropped', async () => {
    const sshd = env.sshd!;
    const wrongKey = `SHA256:${randomBytes(32).toString('base64').replace(/=+$/, '')}`;
    expect(wrongKey).not.toBe(sshd.hostKeyFingerprint);
    const profiles = JSON.parse(readFileSync(join(env.dir, 'profiles.json'), 'utf8'));
    const rls2 = profiles.installations[0].servers.find((s: any) => s.name === 'rls2');
    expect(rls2.host.access).toBe('ssh');
    rls2.host.hostKey = wrongKey;
    const wrongProfile = join(env.dir, 'profiles-wrong-host-key.json');
    writeFileSync(wrongProfile, JSON.stringify(profiles, null, 2));
    const imported = await env.cli(['profiles', 'import', wrongProfile, '--replace']);
    outputs.push(imported.stdout, imported.stderr);
    expect(imported.code).toBe(0);

    const before = { rls1: await schemaFingerprint(env.b, 'cm_rls1', 'cm_rls1'), rls2: await schemaFingerprint(env.a, 'coremedia', 'cm_rls2') };
    const result = await env.cli(['restore', env.installation, '--yes']);
    outputs.push(result.stdout, result.stderr);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`✗ ${env.installation}/rls2: The SSH host key of ssh ${sshd.user}@127.0.0.1:${sshd.port} is ${sshd.hostKeyFingerprint}, but the profile expects ${wrongKey}. Nothing was sent to that host.`);
    expect(result.stderr).toContain('update host.hostKey in the profile');
    expect(result.stderr).toContain('Preflight found 1 problem(s); nothing was changed.');
    // Refused before the run: no run, no backup, nothing stopped, nothing dropped.
    expect(JSON.parse((await env.cli(['runs', 'list', '--json'])).stdout).runs).toEqual([]);
    expect(await runShell(env.control.rls1.status)).toBe(0);
    expect(await runShell(env.control.rls2.status)).toBe(0);
    expect(await schemaFingerprint(env.b, 'cm_rls1', 'cm_rls1')).toBe(before.rls1);
    expect(await schemaFingerprint(env.a, 'coremedia', 'cm_rls2')).toBe(before.rls2);
    expect(await env.masterFingerprint()).toBe(masterBefore);
  }, 120_000);

  it('without a pinned key, is refused at preflight when known_hosts does not list it, and accepted when it does', async () => {
    const sshd = env.sshd!;
    const profiles = JSON.parse(readFileSync(join(env.dir, 'profiles.json'), 'utf8'));
    const rls2 = profiles.installations[0].servers.find((s: any) => s.name === 'rls2');
    delete rls2.host.hostKey;
    const unpinned = join(env.dir, 'profiles-unpinned.json');
    writeFileSync(unpinned, JSON.stringify(profiles, null, 2));
    expect((await env.cli(['profiles', 'import', unpinned, '--replace'])).code).toBe(0);

    const home = join(env.dir, 'ssh-home');
    mkdirSync(join(home, '.ssh'), { recursive: true });
    const dryRun = () => env.cli(['restore', env.installation, '--dry-run'], { HOME: home });
    const refused = await dryRun();
    outputs.push(refused.stdout, refused.stderr);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain(`✗ ${env.installation}/rls2: The SSH host key of ssh ${sshd.user}@127.0.0.1:${sshd.port} is not known: the server offered ${sshd.hostKeyFingerprint}`);
    expect(refused.stdout).toContain(`put ${sshd.hostKeyFingerprint} into the profile's host.hostKey`);

    writeFileSync(join(home, '.ssh', 'known_hosts'), execFileSync('ssh-keyscan', ['-p', String(sshd.port), '127.0.0.1'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
    const accepted = await dryRun();
    outputs.push(accepted.stdout, accepted.stderr);
    expect(accepted.stdout).not.toContain('is not known');
    expect(accepted.stdout).toContain('Dry run: nothing was changed.');
    expect(accepted.code).toBe(0);
  }, 120_000);

  it('leaves no password in any file or output, no process and no private pgpass file', () => {
    expectNothingLeftBehind(env, outputs);
  });
});
