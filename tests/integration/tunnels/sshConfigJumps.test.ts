// SSH routes as admins already write them, against two real sshds on loopback (A: the
// bastion, B: behind it): an alias from a private ~/.ssh/config (a temporary HOME, mode
// 0600) whose ProxyJump goes through A, opened by a TunnelPool with routeContextFor; the
// server's own host behind host.jumpHosts (openHost), with the jump host's key encrypted
// and its passphrase stored by `replica-desk secrets set … ssh-jump1` in the real keychain;
// and `secrets set` refusing a hop the profile does not have.
// Run inside a Secret Service: bash scripts/with-keyring.sh npx vitest run --project integration tests/integration/tunnels/sshConfigJumps.test.ts
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SshHost } from '../../../src/main/core/hosts/sshHost';
import { openHost } from '../../../src/main/core/hosts/openHost';
import { openReplicaDesk, type ReplicaDesk } from '../../../src/main/core/replicaDesk';
import { EndpointBoundSecretStore } from '../../../src/main/core/secrets/endpointBoundSecretStore';
import { KeytarSecretStore } from '../../../src/main/core/secrets/keytarSecretStore';
import { SecretBindings } from '../../../src/main/core/secrets/secretBindings';
import { accountFor } from '../../../src/main/core/secrets/secretStore';
import { SECRET_KINDS } from '../../../src/main/core/secrets/secretService';
import { routeContextFor } from '../../../src/main/core/tunnels/sshConfig';
import { resolveHops } from '../../../src/main/core/tunnels/sshRoute';
import { SshHopError } from '../../../src/main/core/tunnels/tunnelErrors';
import { TunnelPool } from '../../../src/main/core/tunnels/tunnelPool';
import { assertCliBuilt, runCli } from '../../harness/cli';
import { startSshd, type Sshd } from '../../harness/sshd';
import { startTcpProxy } from '../../harness/tcpProxy';

const keychain = new KeytarSecretStore();
const name = `it-jumps-${randomBytes(3).toString('hex')}`;
const ref = { installation: name, server: 'rls1' };
let bastion: Sshd;
let inner: Sshd;
let home: string;
let env: NodeJS.ProcessEnv;
let core: ReplicaDesk;
let secrets: EndpointBoundSecretStore;

/** The per-connection sshd processes of a listener: one per open SSH session. */
const sessionsOf = (sshd: Sshd): number => {
  const pid = readFileSync(join(dirname(sshd.logFile), 'sshd.pid'), 'utf8').trim();
  try {
    return execFileSync('ps', ['--ppid', pid, '-o', 'pid='], { encoding: 'utf8' }).split('\n').filter((l) => l.trim()).length;
  } catch {
    return 0; // ps exits 1 when it lists nothing
  }
};

async function eventually(check: () => boolean): Promise<boolean> {
  for (let i = 0; i < 100 && !check(); i += 1) await new Promise((r) => setTimeout(r, 50));
  return check();
}

const exec = (host: { client: import('ssh2').Client }, command: string): Promise<string> =>
  new Promise((resolve, reject) => {
    host.client.exec(command, (error, channel) => {
      if (error) return reject(error);
      let out = '';
      channel.on('data', (d: Buffer) => (out += d.toString()));
      channel.stderr.resume();
      channel.on('close', () => resolve(out));
    });
  });

/** rls1's host behind the bastion, whose key is encrypted: its passphrase must come from the keychain (no agent here). */
const hostBehindBastion = () => ({
  access: 'ssh',
  hostname: inner.host,
  port: inner.port,
  user: inner.user,
  identityFile: inner.identityFile,
  hostKey: inner.hostKeyFingerprint,
  jumpHosts: [{ hostname: bastion.host, port: bastion.port, user: bastion.user, identityFile: bastion.encryptedIdentityFile, hostKey: bastion.hostKeyFingerprint }],
});

const profile = () => ({
  name,
  servers: [
    { name: 'rls1', role: 'replica', db: { host: '127.0.0.1', port: 1, database: 'cm', user: 'cm_rls1' }, host: hostBehindBastion(), control: { status: 'true' } },
    { name: 'mls', role: 'master', db: { host: '127.0.0.1', port: 1, database: 'cm', user: 'cm_master' } },
  ],
});

beforeAll(async () => {
  assertCliBuilt();
  [bastion, inner] = await Promise.all([startSshd(), startSshd()]);
  home = mkdtempSync(join(tmpdir(), 'rd-ssh-jumps-'));
  mkdirSync(join(home, '.ssh'), { mode: 0o700 });
  // The user's own OpenSSH files: the aliases, and the host keys ssh would have recorded.
  writeFileSync(
    join(home, '.ssh', 'config'),
    [
      'Host db-behind',
      `  HostName ${inner.host}`,
      `  Port ${inner.port}`,
      `  User ${inner.user}`,
      `  IdentityFile ${inner.identityFile}`,
      '  ProxyJump bastion',
      'Host bastion',
      `  HostName ${bastion.host}`,
      `  Port ${bastion.port}`,
      `  IdentityFile ${bastion.identityFile}`,
      'Host *',
      '  ServerAliveInterval 30',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  writeFileSync(
    join(home, '.ssh', 'known_hosts'),
    [bastion, inner].map((s) => `[${s.host}]:${s.port} ${s.hostPublicKeys[0]}\n`).join(''),
    { mode: 0o600 },
  );
  env = { HOME: home, USER: bastion.user, PATH: process.env.PATH };
  core = openReplicaDesk({ home: join(home, 'data') });
  secrets = new EndpointBoundSecretStore(keychain, new SecretBindings(core.store.db), core.log);
  await core.profiles.save({ installation: profile() });
}, 60_000);

afterAll(async () => {
  for (const server of ['mls', 'rls1']) for (const kind of SECRET_KINDS) await keychain.delete(accountFor({ installation: name, server }, kind)).catch(() => false);
  core?.close();
  await Promise.all([bastion?.stop(), inner?.stop()]);
  if (home) rmSync(home, { recursive: true, force: true });
});

describe('an alias from ~/.ssh/config with ProxyJump', () => {
  it('resolves to the bastion, then the host behind it, and a TunnelPool logs in through both', async () => {
    const context = await routeContextFor(env);
    const hops = resolveHops({ alias: 'db-behind' }, undefined, context, { secretKind: 'tunnel', role: 'tunnel endpoint', profilePath: 'db.tunnel' });
    expect(hops.map((h) => [h.alias, h.hostname, h.port, h.user, h.secretKind])).toEqual([
      ['bastion', bastion.host, bastion.port, bastion.user, 'tunnel-jump1'],
      ['db-behind', inner.host, inner.port, inner.user, 'tunnel'],
    ]);
    const pool = new TunnelPool({ secretFor: async () => null, env });
    try {
      const last = await pool.connect(ref, hops, { timeoutMs: 20_000 });
      expect(await exec(last, 'echo through-the-bastion')).toBe('through-the-bastion\n');
      // Both hold a session: the pool reaches the inner sshd only through a channel of the bastion's.
      expect(sessionsOf(bastion)).toBeGreaterThan(0);
      expect(sessionsOf(inner)).toBeGreaterThan(0);
    } finally {
      await pool.close();
    }
  });
});

describe('the server host behind host.jumpHosts', () => {
  let host: SshHost | null = null;

  it('`secrets set … ssh-jump1` stores the jump host passphrase, bound to that hop', async () => {
    const set = await runCli(['secrets', 'set', `${name}/rls1`, 'ssh-jump1'], { home: join(home, 'data'), stdin: `${bastion.passphrase}\n`, env });
    expect(set.stderr).toContain(`for ${bastion.user}@${bastion.host}:${bastion.port} (host key ${bastion.hostKeyFingerprint})`);
    expect(set.code).toBe(0);
    const status = await core.secrets.status(ref);
    expect(status.jumps).toEqual({ 'ssh-jump1': true });
    expect(status.hops.map((h) => [h.kind, h.role])).toEqual([
      ['ssh-jump1', 'jump host 1'],
      ['ssh', 'server host'],
    ]);
  });

  it('opens the host through the jump host (its encrypted key unlocked from the keychain) and runs control commands', async () => {
    host = (await openHost(core.profiles.server(ref), ref, secrets, env, { timeoutMs: 20_000 })) as SshHost;
    expect((await host.run('echo behind-the-bastion')).stdout).toBe('behind-the-bastion\n');
    expect((await host.run('exit 3')).exitCode).toBe(3);
    expect(sessionsOf(bastion)).toBeGreaterThan(0);
  });

  it('closing the host closes the jump host connection too', async () => {
    await host!.close();
    expect(await eventually(() => sessionsOf(bastion) === 0)).toBe(true);
    expect(await eventually(() => sessionsOf(inner) === 0)).toBe(true);
  });

  it('the jump host passphrase goes only to the hop it was entered for: elsewhere it is withheld and the refused login says why', async () => {
    const proxy = await startTcpProxy({ host: bastion.host, port: bastion.port });
    try {
      const server = core.profiles.server(ref);
      const hostDef = server.host as Extract<typeof server.host, { access: 'ssh' }>;
      const moved = { ...server, host: { ...hostDef, jumpHosts: [{ ...hostDef.jumpHosts![0]!, port: proxy.port }] } };
      const error = await openHost(moved, ref, secrets, env, { timeoutMs: 20_000 }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(SshHopError);
      expect((error as SshHopError).code).toBe('secret-endpoint-changed');
      expect((error as SshHopError).message).toContain('SSH hop 1 of 2 (jump host 1');
      expect((error as SshHopError).message).toContain(`was entered for ${bastion.user}@${bastion.host}:${bastion.port}`);
    } finally {
      await proxy.close();
    }
  });

  it('a wrong host key pinned for the jump host refuses that hop, by name', async () => {
    const server = { ...core.profiles.server(ref) };
    const wrong = inner.hostKeyFingerprint; // a real key, but not the bastion's
    const hostDef = server.host as Extract<typeof server.host, { access: 'ssh' }>;
    const error = await openHost({ ...server, host: { ...hostDef, jumpHosts: [{ ...hostDef.jumpHosts![0]!, hostKey: wrong }] } }, ref, secrets, env, { timeoutMs: 20_000 }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SshHopError);
    expect((error as SshHopError).code).toBe('host-key-mismatch');
    expect((error as SshHopError).message).toContain('SSH hop 1 of 2 (jump host 1');
    expect(await eventually(() => sessionsOf(bastion) === 0)).toBe(true);
  });

  it('`secrets set` refuses a hop kind the profile does not have (exit 2, nothing asked or stored)', async () => {
    for (const kind of ['ssh-jump2', 'tunnel', 'tunnel-jump1']) {
      const refused = await runCli(['secrets', 'set', `${name}/rls1`, kind], { home: join(home, 'data'), stdin: 'never-stored\n', env });
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain(`has no SSH hop for the secret kind "${kind}"`);
      expect(refused.stderr).toContain('jump host 1 (ssh-jump1)');
      expect(await keychain.get(accountFor(ref, kind as 'tunnel'))).toBeNull();
    }
    const deleted = await runCli(['secrets', 'delete', `${name}/rls1`, 'tunnel'], { home: join(home, 'data'), env });
    expect(deleted.code).toBe(2);
    const unknownKind = await runCli(['secrets', 'set', `${name}/rls1`, 'ssh-jump9'], { home: join(home, 'data'), env });
    expect(unknownKind.code).toBe(2);
    expect(unknownKind.stderr).toContain('ssh-jumpN or tunnel-jumpN');
  });
});
