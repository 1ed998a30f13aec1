// The SSH host against a real OpenSSH server on loopback: commands with their exit codes
// and output, a timeout and a cancel that kill the remote processes, the host key check,
// authentication with plain and passphrase-protected keys, SFTP private files and the
// verified key copy in both directions.
import { createHash, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CancelledError } from '../../../src/main/core/cancellation';
import { copyPrivateFile } from '../../../src/main/core/hosts/copyFile';
import { CommandTimeoutError, HostFileError, HostKeyMismatchError, HostUnreachableError, SshAuthError } from '../../../src/main/core/hosts/host';
import { LocalHost } from '../../../src/main/core/hosts/localHost';
import { openHost } from '../../../src/main/core/hosts/openHost';
import { openSshHost, probeSshHostKey, type SshHost } from '../../../src/main/core/hosts/sshHost';
import { Secret } from '../../../src/main/core/secrets/secret';
import type { SecretStore } from '../../../src/main/core/secrets/secretStore';
import { ServerSchema } from '../../../src/shared/profiles';
import { startSshd, type Sshd } from '../../harness/sshd';
import { endpointBoundSecrets } from '../../harness/endpointBoundSecrets';

let sshd: Sshd;
let ssh: SshHost;
let dir: string;

// Pinned: a host without a pinned key must be in known_hosts (knownHosts.test.ts covers that).
const connectOptions = () => ({ hostname: sshd.host, port: sshd.port, user: sshd.user, hostKey: sshd.hostKeyFingerprint });

function processIsRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // This machine's init does not reap orphans: a zombie is a dead process.
  const stat = existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, 'utf8') : '';
  return !/^\d+ \(.*\) Z /.test(stat);
}

async function isGoneSoon(pid: number): Promise<boolean> {
  for (let i = 0; i < 250 && processIsRunning(pid); i += 1) await new Promise((r) => setTimeout(r, 20));
  return !processIsRunning(pid);
}

async function waitForPids(path: string, count: number): Promise<number[]> {
  for (;;) {
    const pids = existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean).map(Number) : [];
    if (pids.length >= count) return pids;
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function failureOf(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

beforeAll(async () => {
  sshd = await startSshd();
  dir = mkdtempSync(join(tmpdir(), 'rd-sshhost-'));
  ssh = await openSshHost({ ...connectOptions(), identityFile: sshd.identityFile, hostKey: sshd.hostKeyFingerprint });
});
afterAll(async () => {
  await ssh?.close();
  await sshd?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('commands over SSH', () => {
  it('returns the exit code and both outputs, and nothing of its own', async () => {
    const result = await ssh.run(`printf '%s|' a 'b c'; echo oops >&2; exit 3`);
    expect(result).toMatchObject({ exitCode: 3, signal: null, stdout: 'a|b c|', stderr: 'oops\n' });
    expect(ssh.description).toBe(`ssh ${sshd.user}@127.0.0.1:${sshd.port}`);
    expect((await ssh.run('cat; echo done')).stdout).toBe('done\n');
  });

  it('kills the remote process group on timeout', async () => {
    const pids = join(dir, 'timeout.pids');
    const error = await failureOf(ssh.run(`echo $$ > ${pids}; sleep 60 & echo $! >> ${pids}; wait`, { timeoutMs: 1500 }));
    expect(error).toBeInstanceOf(CommandTimeoutError);
    expect(error).toMatchObject({ code: 'command-timeout', host: ssh.description });
    const [shell, sleeper] = await waitForPids(pids, 2);
    expect(await isGoneSoon(shell!)).toBe(true);
    expect(await isGoneSoon(sleeper!)).toBe(true);
  });

  it('kills the remote process group when cancelled', async () => {
    const pids = join(dir, 'abort.pids');
    const controller = new AbortController();
    const running = ssh.run(`echo $$ > ${pids}; sleep 60 & echo $! >> ${pids}; wait`, { signal: controller.signal });
    const [shell, sleeper] = await waitForPids(pids, 2);
    controller.abort();
    expect(await failureOf(running)).toBeInstanceOf(CancelledError);
    expect(await isGoneSoon(shell!)).toBe(true);
    expect(await isGoneSoon(sleeper!)).toBe(true);
    // The connection is still usable afterwards.
    expect((await ssh.run('echo still here')).stdout).toBe('still here\n');
  });
});

describe('connecting', () => {
  it('records the host key it saw and matches it against the profile', async () => {
    expect(ssh.hostKeyFingerprint).toBe(sshd.hostKeyFingerprint);
    expect(await probeSshHostKey(sshd.host, sshd.port, 10_000)).toBe(sshd.hostKeyFingerprint);
  });

  it('refuses a host whose key differs from the profile, naming both fingerprints', async () => {
    const expected = `SHA256:${createHash('sha256').update('another host').digest('base64').replace(/=+$/, '')}`;
    const error = await failureOf(openSshHost({ ...connectOptions(), identityFile: sshd.identityFile, hostKey: expected }));
    expect(error).toBeInstanceOf(HostKeyMismatchError);
    expect(error).toMatchObject({ code: 'host-key-mismatch' });
    expect(error.message).toContain(expected);
    expect(error.message).toContain(sshd.hostKeyFingerprint);
    expect((error as HostKeyMismatchError).hint).toContain('ssh-keyscan');
  });

  it('unlocks an encrypted identity file with the passphrase', async () => {
    const host = await openSshHost({ ...connectOptions(), identityFile: sshd.encryptedIdentityFile, passphrase: new Secret(sshd.passphrase) });
    try {
      expect((await host.run('echo ok')).stdout).toBe('ok\n');
    } finally {
      await host.close();
    }
  });

  it('fails with ssh-auth-failed, naming what it tried, for a wrong or missing passphrase', async () => {
    const wrong = `wrong-${randomBytes(6).toString('hex')}`;
    const error = await failureOf(openSshHost({ ...connectOptions(), identityFile: sshd.encryptedIdentityFile, passphrase: new Secret(wrong) }));
    expect(error).toBeInstanceOf(SshAuthError);
    expect(error).toMatchObject({ code: 'ssh-auth-failed' });
    expect(error.message).toContain(sshd.encryptedIdentityFile);
    expect(error.message).toContain('passphrase');
    expect(error.message).not.toContain(wrong);
    expect((error as SshAuthError).hint).toContain('replica-desk secrets set');

    const none = await failureOf(openSshHost({ ...connectOptions(), identityFile: sshd.encryptedIdentityFile, ref: { installation: 'prod', server: 'rls1' } }));
    expect(none).toMatchObject({ code: 'ssh-auth-failed' });
    expect((none as SshAuthError).hint).toContain('replica-desk secrets set prod/rls1 ssh');
  });

  it('fails with ssh-auth-failed when the server rejects the key', async () => {
    const stranger = join(dir, 'stranger');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', stranger]);
    const error = await failureOf(openSshHost({ ...connectOptions(), identityFile: stranger }));
    expect(error).toBeInstanceOf(SshAuthError);
    expect(error.message).toContain(`identity file ${stranger}`);
  });

  it('fails with host-unreachable for a port where nothing listens', async () => {
    const port = await closedPort();
    const error = await failureOf(openSshHost({ hostname: '127.0.0.1', port, user: sshd.user, identityFile: sshd.identityFile }));
    expect(error).toBeInstanceOf(HostUnreachableError);
    expect(error).toMatchObject({ code: 'host-unreachable' });
    expect(error.message).toContain(`127.0.0.1:${port}`);
    expect(error.message).toContain('refused');
  });

  it('opens an SSH host from a profile, with the passphrase from the secret store', async () => {
    const server = ServerSchema.parse({
      name: 'rls2',
      role: 'replica',
      db: { host: '127.0.0.1', database: 'rls', user: 'cm_rls' },
      host: { access: 'ssh', hostname: sshd.host, port: sshd.port, user: sshd.user, identityFile: sshd.encryptedIdentityFile, hostKey: sshd.hostKeyFingerprint },
    });
    const asked: string[] = [];
    const store: SecretStore = {
      get: async (account) => (asked.push(account), new Secret(sshd.passphrase)),
      set: async () => undefined,
      delete: async () => false,
    };
    const bound = endpointBoundSecrets(store);
    const host = await openHost(server, { installation: 'it', server: 'rls2' }, bound.secrets, {});
    try {
      expect(asked).toEqual(['it/rls2/ssh']);
      expect((await host.run('echo via profile')).stdout).toBe('via profile\n');
    } finally {
      await host.close();
      bound.close();
    }
  });
});

describe('files over SFTP', () => {
  it('writes a private file into a new nested directory, mode 0600, and hashes it', async () => {
    const target = join(dir, 'rls', 'etc', 'keys', 'coremedia.cm_rls.rijndael');
    const data = randomBytes(48);
    await ssh.writePrivateFile(target, data);
    expect(readFileSync(target).equals(data)).toBe(true);
    expect(statSync(target).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'rls', 'etc')).mode & 0o777).toBe(0o700);
    expect(await ssh.sha256(target)).toBe(createHash('sha256').update(data).digest('hex'));

    // Never replaced: refused without keepExistingAs, moved aside with it.
    const again = randomBytes(16);
    await expect(ssh.writePrivateFile(target, again)).rejects.toMatchObject({ code: 'host-file', reason: 'exists' });
    expect(readFileSync(target).equals(data)).toBe(true);
    expect(readdirSync(join(dir, 'rls', 'etc', 'keys'))).toEqual(['coremedia.cm_rls.rijndael']);
    await ssh.writePrivateFile(target, again, { keepExistingAs: `${target}.before-run1` });
    expect(readFileSync(target).equals(again)).toBe(true);
    expect(readFileSync(`${target}.before-run1`).equals(data)).toBe(true);
    await expect(ssh.writePrivateFile(target, randomBytes(8), { keepExistingAs: `${target}.before-run1` })).rejects.toMatchObject({ reason: 'exists' });
    expect(readFileSync(target).equals(again)).toBe(true);
    expect(readdirSync(join(dir, 'rls', 'etc', 'keys')).sort()).toEqual(['coremedia.cm_rls.rijndael', 'coremedia.cm_rls.rijndael.before-run1']);
  });

  it('names a missing file, and hashes it as null', async () => {
    const missing = join(dir, 'no', 'such.rijndael');
    const error = await failureOf(ssh.readFile(missing));
    expect(error).toBeInstanceOf(HostFileError);
    expect(error).toMatchObject({ code: 'host-file', reason: 'missing' });
    expect(error.message).toContain(missing);
    expect(await ssh.sha256(missing)).toBeNull();
  });

  it('copies a key file local → SSH and SSH → local, verified', async () => {
    const local = new LocalHost();
    const source = join(dir, 'mls', 'coremedia.cm_master.rijndael');
    const data = randomBytes(64);
    await local.writePrivateFile(source, data);
    const sha256 = createHash('sha256').update(data).digest('hex');

    const remoteCopy = join(dir, 'rls1', 'etc', 'keys', 'rls1.cm_rls1.rijndael');
    expect(await copyPrivateFile(local, source, ssh, remoteCopy)).toEqual({ bytes: 64, sha256 });
    expect(readFileSync(remoteCopy).equals(data)).toBe(true);

    const back = join(dir, 'back', 'key.rijndael');
    expect(await copyPrivateFile(ssh, remoteCopy, local, back)).toEqual({ bytes: 64, sha256 });
    expect(statSync(back).mode & 0o777).toBe(0o600);
  });
});
