// An SSH passphrase stays with its endpoint, against a real sshd and the real keychain: once
// the profile sends rls1's SSH to another port (a loopback proxy in front of the same sshd,
// which would let the key in), the stored passphrase is not used to log in there — the
// encrypted identity stays locked and the admin is told why — until it is confirmed.
// Run inside a Secret Service: bash scripts/with-keyring.sh npx vitest run --project integration tests/integration/secrets/sshEndpointBinding.test.ts
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openHost } from '../../../src/main/core/hosts/openHost';
import { openReplicaDesk, type ReplicaDesk } from '../../../src/main/core/replicaDesk';
import { EndpointBoundSecretStore } from '../../../src/main/core/secrets/endpointBoundSecretStore';
import { KeytarSecretStore } from '../../../src/main/core/secrets/keytarSecretStore';
import { Secret } from '../../../src/main/core/secrets/secret';
import { SecretBindings } from '../../../src/main/core/secrets/secretBindings';
import { SecretEndpointChangedError } from '../../../src/main/core/secrets/secretEndpoint';
import { accountFor } from '../../../src/main/core/secrets/secretStore';
import { assertCliBuilt, runCli } from '../../harness/cli';
import { startSshd, type Sshd } from '../../harness/sshd';
import { startTcpProxy, type TcpProxy } from '../../harness/tcpProxy';

const keychain = new KeytarSecretStore();
const name = `it-ssh-bind-${randomBytes(3).toString('hex')}`;
const ref = { installation: name, server: 'rls1' };
let sshd: Sshd;
let proxy: TcpProxy;
let home: string;
let core: ReplicaDesk;
let secrets: EndpointBoundSecretStore;

const installation = (sshPort: number) => ({
  name,
  servers: [
    { name: 'mls', role: 'master', db: { host: '127.0.0.1', port: 1, database: 'cm', user: 'cm_master' } },
    {
      name: 'rls1',
      role: 'replica',
      db: { host: '127.0.0.1', port: 1, database: 'cm', user: 'cm_rls1' },
      host: { access: 'ssh', hostname: sshd.host, port: sshPort, user: sshd.user, identityFile: sshd.encryptedIdentityFile, hostKey: sshd.hostKeyFingerprint },
      control: { status: 'true' },
    },
  ],
});

/** Opens rls1's host as its profile says now (no ssh-agent), runs a command, closes it. */
async function login(): Promise<string> {
  const host = await openHost(core.profiles.server(ref), ref, secrets, {}, { timeoutMs: 15_000 });
  try {
    return (await host.run('echo logged-in')).stdout;
  } finally {
    await host.close();
  }
}

beforeAll(async () => {
  assertCliBuilt();
  sshd = await startSshd();
  proxy = await startTcpProxy({ host: sshd.host, port: sshd.port });
  home = mkdtempSync(join(tmpdir(), 'rd-ssh-binding-'));
  core = openReplicaDesk({ home });
  secrets = new EndpointBoundSecretStore(keychain, new SecretBindings(core.store.db), core.log);
  await core.profiles.save({ installation: installation(sshd.port) });
}, 60_000);

afterAll(async () => {
  for (const server of ['mls', 'rls1']) for (const kind of ['db', 'ssh'] as const) await keychain.delete(accountFor({ installation: name, server }, kind)).catch(() => false);
  core?.close();
  await proxy?.close();
  await sshd?.stop();
  if (home) rmSync(home, { recursive: true, force: true });
});

describe('a stored SSH passphrase after the server is pointed at another SSH endpoint', () => {
  it('is not used there until confirmed, and the failure says why', async () => {
    await core.secrets.set(ref, 'ssh', new Secret(sshd.passphrase));
    expect(await login()).toBe('logged-in\n');

    await core.profiles.save({ previousName: name, installation: installation(proxy.port) });
    const error = await login().then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SecretEndpointChangedError);
    expect(error).toMatchObject({ code: 'secret-endpoint-changed', kind: 'ssh' });
    expect((error as Error).message).toBe(
      `The stored SSH secret (passphrase or password) for ${name}/rls1 was entered for ${sshd.user}@127.0.0.1:${sshd.port} (host key ${sshd.hostKeyFingerprint}); ` +
        `the profile now points at ${sshd.user}@127.0.0.1:${proxy.port} (host key ${sshd.hostKeyFingerprint}). It was not used.`,
    );

    // The restore preflight (another process, the built CLI) says the same for rls1's host.
    const dryRun = await runCli(['restore', name, '--dry-run', '--json'], { home, env: { SSH_AUTH_SOCK: '' } });
    const findings = JSON.parse(dryRun.stdout).preflight as { check: string; server: string; ok: boolean; message: string }[];
    expect(findings.find((f) => f.check === 'host' && f.server === `${name}/rls1`)).toMatchObject({ ok: false, message: (error as Error).message });

    const confirmed = await runCli(['secrets', 'confirm', `${name}/rls1`, 'ssh', '--yes'], { home });
    expect(confirmed.code, confirmed.stderr).toBe(0);
    expect(await login()).toBe('logged-in\n');
  }, 120_000);
});
