// An SSH host whose profile pins no host key, against a real OpenSSH server on loopback:
// it is used only when the user's known_hosts (under HOME, as the core is given it) lists
// it with the key it offers — plain, hashed by `ssh-keygen -H`, or as `ssh-keyscan` writes
// it — and refused before authentication when it is unknown, changed or revoked.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endpointBoundSecrets } from '../../harness/endpointBoundSecrets';
import { HostKeyRevokedError, HostKeyUnknownError, KnownHostKeyChangedError } from '../../../src/main/core/hosts/hostKeyErrors';
import { openHost } from '../../../src/main/core/hosts/openHost';
import type { SecretStore } from '../../../src/main/core/secrets/secretStore';
import { ServerSchema } from '../../../src/shared/profiles';
import { startSshd, type Sshd } from '../../harness/sshd';

let sshd: Sshd;
let dir: string;
/** `ssh-ed25519 AAAA…` of the key sshd offers, as ssh-keyscan reports it. */
let offeredKey: string;
let otherKey: string;
let homeCount = 0;

// An empty keychain, as connections see it: the identity file needs no passphrase.
const keychain = endpointBoundSecrets({ get: async () => null, set: async () => undefined, delete: async () => false } satisfies SecretStore);
const noSecrets = keychain.secrets;
const ref = { installation: 'it', server: 'rls9' };

/** A fresh HOME whose ~/.ssh/known_hosts holds `text`. */
function homeWith(text: string): { HOME: string; file: string } {
  const home = join(dir, `home-${(homeCount += 1)}`);
  mkdirSync(join(home, '.ssh'), { recursive: true });
  const file = join(home, '.ssh', 'known_hosts');
  writeFileSync(file, text);
  return { HOME: home, file };
}

function server(hostKey?: string) {
  return ServerSchema.parse({
    name: ref.server,
    role: 'replica',
    db: { host: '127.0.0.1', database: 'rls', user: 'cm_rls' },
    host: { access: 'ssh', hostname: sshd.host, port: sshd.port, user: sshd.user, identityFile: sshd.identityFile, ...(hostKey ? { hostKey } : {}) },
  });
}

/** Logins sshd accepted so far (LogLevel VERBOSE logs each). */
const acceptedLogins = (): number => (readFileSync(sshd.logFile, 'utf8').match(/Accepted publickey/g) ?? []).length;

async function connects(env: NodeJS.ProcessEnv, hostKey?: string): Promise<void> {
  const before = acceptedLogins();
  const host = await openHost(server(hostKey), ref, noSecrets, env, { timeoutMs: 10_000 });
  try {
    expect((await host.run('echo in')).stdout).toBe('in\n');
  } finally {
    await host.close();
  }
  // The log shows logins, so refusal() seeing none there means something.
  await expect.poll(acceptedLogins).toBe(before + 1);
}

/** The refusal, after checking that sshd saw no login and so ran nothing. */
async function refusal(env: NodeJS.ProcessEnv): Promise<Error> {
  const before = acceptedLogins();
  const marker = join(dir, `ran-${homeCount}`);
  const error = await openHost(server(), ref, noSecrets, env, { timeoutMs: 10_000 }).then(
    async (host) => {
      await host.run(`touch ${marker}`);
      await host.close();
      throw new Error('expected a refusal');
    },
    (e: unknown) => e as Error,
  );
  expect(acceptedLogins()).toBe(before);
  return error;
}

beforeAll(async () => {
  sshd = await startSshd();
  dir = mkdtempSync(join(tmpdir(), 'rd-knownhosts-it-'));
  const scanned = execFileSync('ssh-keyscan', ['-p', String(sshd.port), '-t', 'ed25519', '127.0.0.1'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const line = scanned.split('\n').find((l) => l.startsWith(`[127.0.0.1]:${sshd.port} `));
  expect(line).toBeDefined();
  offeredKey = line!.split(' ').slice(1, 3).join(' ');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'other')]);
  otherKey = readFileSync(join(dir, 'other.pub'), 'utf8').split(' ').slice(0, 2).join(' ');
});
afterAll(async () => {
  keychain.close();
  await sshd?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('a host the profile does not pin', () => {
  it('is refused when no known_hosts lists it, showing the offered fingerprint and how to pin it; nothing is sent', async () => {
    const { HOME, file } = homeWith(`[127.0.0.1]:${sshd.port + 1} ${offeredKey}\n`);
    const error = await refusal({ HOME });
    expect(error).toBeInstanceOf(HostKeyUnknownError);
    expect(error).toMatchObject({ code: 'host-key-unknown' });
    expect(error.message).toContain(`offered ${sshd.hostKeyFingerprint}`);
    expect(error.message).toContain(file);
    expect(error.message).toContain('Nothing was sent');
    const { hint } = error as HostKeyUnknownError;
    expect(hint).toContain(`put ${sshd.hostKeyFingerprint} into the profile's host.hostKey`);
    expect(hint).toContain(`ssh -p ${sshd.port}`);
  });

  it('is used when known_hosts lists it as ssh-keyscan writes it ([127.0.0.1]:PORT)', async () => {
    const { HOME } = homeWith(execFileSync('ssh-keyscan', ['-p', String(sshd.port), '127.0.0.1'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
    await connects({ HOME });
  });

  it('is used when known_hosts lists it in a pattern list or hashed by ssh-keygen -H', async () => {
    await connects(homeWith(`example.org,[127.0.0.?]:${sshd.port} ${offeredKey}\n`));
    const { HOME, file } = homeWith(`[127.0.0.1]:${sshd.port} ${offeredKey}\n`);
    execFileSync('ssh-keygen', ['-H', '-f', file], { stdio: 'ignore' });
    expect(readFileSync(file, 'utf8')).toMatch(/^\|1\|/);
    await connects({ HOME });
  });

  it('is refused like OpenSSH when known_hosts records another key for it, naming the file and line', async () => {
    const { HOME, file } = homeWith(`# team hosts\n[127.0.0.1]:${sshd.port} ${otherKey}\n`);
    const error = await refusal({ HOME });
    expect(error).toBeInstanceOf(KnownHostKeyChangedError);
    expect(error).toMatchObject({ code: 'host-key-changed' });
    expect(error.message).toContain('REMOTE HOST IDENTIFICATION HAS CHANGED');
    expect(error.message).toContain(`${file}:2`);
    expect(error.message).toContain(sshd.hostKeyFingerprint);
  });

  it('is refused when its key is marked @revoked, even if another line lists it', async () => {
    const { HOME, file } = homeWith(`[127.0.0.1]:${sshd.port} ${offeredKey}\n@revoked * ${offeredKey}\n`);
    const error = await refusal({ HOME });
    expect(error).toBeInstanceOf(HostKeyRevokedError);
    expect(error).toMatchObject({ code: 'host-key-revoked' });
    expect(error.message).toContain(`${file}:2`);
  });
});

describe('a host with several host keys', () => {
  it('is asked for the type known_hosts records, as ssh does, instead of looking changed', async () => {
    const multi = await startSshd({ extraHostKeyTypes: ['ecdsa'] });
    try {
      const ecdsa = multi.hostPublicKeys.find((k) => k.startsWith('ecdsa-'))!;
      expect(ecdsa).toBeDefined();
      const { HOME } = homeWith(`[127.0.0.1]:${multi.port} ${ecdsa}\n`);
      const profile = ServerSchema.parse({
        name: ref.server,
        role: 'replica',
        db: { host: '127.0.0.1', database: 'rls', user: 'cm_rls' },
        host: { access: 'ssh', hostname: multi.host, port: multi.port, user: multi.user, identityFile: multi.identityFile },
      });
      const host = await openHost(profile, ref, noSecrets, { HOME }, { timeoutMs: 10_000 });
      try {
        expect((await host.run('echo in')).stdout).toBe('in\n');
      } finally {
        await host.close();
      }
    } finally {
      await multi.stop();
    }
  });
});

describe('a pinned host key', () => {
  it('wins over known_hosts', async () => {
    await connects(homeWith(`[127.0.0.1]:${sshd.port} ${otherKey}\n`), sshd.hostKeyFingerprint);
  });
});
