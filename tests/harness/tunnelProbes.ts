// Pieces the probe-through-tunnel tests share: a keychain with no entries (so only pgpass,
// pins and identity files count), a profile hop pinned to a test sshd, and a TCP server that
// accepts connections and never says a word (an SSH hop or database that hangs).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeytarSecretStore, type KeytarLike } from '../../src/main/core/secrets/keytarSecretStore';
import { endpointBoundSecrets, type BoundSecretsFixture } from './endpointBoundSecrets';
import { startCluster, type PgCluster } from './postgresCluster';
import { startSshd, type Sshd } from './sshd';

const noEntry: KeytarLike = {
  getPassword: () => Promise.resolve(null),
  setPassword: () => Promise.reject(new Error('not in this test')),
  deletePassword: () => Promise.resolve(false),
};

/** The keychain as connections see it, always answering "no entry". */
export const emptyKeychain = (): BoundSecretsFixture => endpointBoundSecrets(new KeytarSecretStore({ keytar: noEntry, lockProbe: null }));

/** A profile SSH hop (profiles@1) to `sshd`, its host key pinned; `extra` overrides fields. */
export const pinnedHop = (sshd: Sshd, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  hostname: sshd.host,
  port: sshd.port,
  user: sshd.user,
  identityFile: sshd.identityFile,
  hostKey: sshd.hostKeyFingerprint,
  ...extra,
});

export interface SilentServer {
  port: number;
  close(): Promise<void>;
}

/** Accepts TCP connections on 127.0.0.1 and never answers; close() cuts them. */
export async function startSilentServer(): Promise<SilentServer> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Real PostgreSQL behind two real sshds (a bastion, then the tunnel endpoint), and the rest a probe test needs. */
export interface TunnelProbeSetting {
  cluster: PgCluster;
  bastion: Sshd;
  endpoint: Sshd;
  dir: string;
  /** HOME without known_hosts and no agent (only the profile's pins count); PGPASSFILE with `pgpassLines`. */
  env: NodeJS.ProcessEnv;
  keychain: BoundSecretsFixture;
  silent: SilentServer;
  stop(): Promise<void>;
}

export async function startTunnelProbeSetting(pgpassLines: string[]): Promise<TunnelProbeSetting> {
  const [cluster, bastion, endpoint] = await Promise.all([startCluster(), startSshd(), startSshd()]);
  const dir = mkdtempSync(join(tmpdir(), 'rd-probe-tunnel-'));
  writeFileSync(join(dir, 'pgpass'), pgpassLines.map((l) => `${l}\n`).join(''), { mode: 0o600 });
  const keychain = emptyKeychain();
  const silent = await startSilentServer();
  return {
    cluster,
    bastion,
    endpoint,
    dir,
    env: { PATH: process.env.PATH, HOME: join(dir, 'home'), PGPASSFILE: join(dir, 'pgpass') },
    keychain,
    silent,
    stop: async () => {
      await silent.close();
      keychain.close();
      await Promise.all([cluster.stop(), bastion.stop(), endpoint.stop()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
