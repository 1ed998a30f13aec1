// The run's SSH tunnels against two real OpenSSH servers on loopback (a bastion and a jump
// host behind it): a local forward through both hops reaches its target, hop connections are
// shared between routes, each failing hop is named (wrong or unknown host key on hop 2, hop 1
// unreachable), a far end that refuses is recorded, a killed hop is noticed as a drop, and
// close() leaves no listener and no session behind.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CancelledError } from '../../../src/main/core/cancellation';
import { SshHopError, TunnelDroppedError } from '../../../src/main/core/tunnels/tunnelErrors';
import type { SshHop, SshRoute } from '../../../src/main/core/tunnels/sshRoute';
import { TunnelPool } from '../../../src/main/core/tunnels/tunnelPool';
import { startSshd, type Sshd } from '../../harness/sshd';
import { startTcpProxy } from '../../harness/tcpProxy';

let bastion: Sshd;
let jump: Sshd;
let echo: Server;
let echoPort: number;
const pools: TunnelPool[] = [];
const ref = { installation: 'tunnels', server: 'db' };

const hop = (sshd: Sshd, role: string, extra: Partial<SshHop> = {}): SshHop => ({
  hostname: sshd.host,
  port: sshd.port,
  user: sshd.user,
  identityFile: sshd.identityFile,
  hostKey: sshd.hostKeyFingerprint,
  secretKind: role === 'tunnel endpoint' ? 'tunnel' : 'tunnel-jump1',
  role,
  ...extra,
});
const twoHops = (target: { host: string; port: number }, second: Partial<SshHop> = {}): SshRoute => ({
  hops: [hop(bastion, 'jump host 1'), hop(jump, 'tunnel endpoint', second)],
  target,
});
const newPool = (): TunnelPool => {
  // No known_hosts (HOME without one) and no agent: only pins and identity files count.
  const pool = new TunnelPool({ secretFor: async () => null, env: { HOME: '/nonexistent-home' }, readyTimeoutMs: 10_000 });
  pools.push(pool);
  return pool;
};

/** One line from the echo server through `port`. */
function roundTrip(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('error', reject);
    socket.once('close', () => reject(new Error('closed before an answer')));
    socket.once('data', (data) => {
      socket.removeAllListeners('close');
      socket.destroy();
      resolve(data.toString());
    });
    socket.write(text);
  });
}

const listenerPid = (sshd: Sshd): number => Number(readFileSync(join(dirname(sshd.logFile), 'sshd.pid'), 'utf8').trim());
/** ps exits 1 when it lists nothing. */
const children = (pid: number): number[] =>
  (spawnSync('ps', ['--ppid', String(pid), '-o', 'pid='], { encoding: 'utf8' }).stdout ?? '').split('\n').map(Number).filter((n) => n > 0);
/** sshd forks a process per connection: killing those cuts established sessions, as a network cut or a reboot would. */
function killSessions(sshd: Sshd): void {
  for (const pid of children(listenerPid(sshd))) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
}
const acceptedLogins = (sshd: Sshd): number => (readFileSync(sshd.logFile, 'utf8').match(/Accepted publickey/g) ?? []).length;

beforeAll(async () => {
  [bastion, jump] = await Promise.all([startSshd(), startSshd()]);
  echo = createServer((socket) => socket.on('data', (d) => socket.write(`echo:${d.toString()}`)));
  echoPort = await new Promise<number>((resolve) => echo.listen(0, '127.0.0.1', () => resolve((echo.address() as { port: number }).port)));
});

afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

afterAll(async () => {
  echo?.close();
  await Promise.all([bastion?.stop(), jump?.stop()]);
});

describe('a two-hop tunnel', () => {
  it('forwards through both hops, and routes with the same hops share one connection per hop', async () => {
    const pool = newPool();
    const before = { bastion: acceptedLogins(bastion), jump: acceptedLogins(jump) };
    const forward = await pool.forward(ref, twoHops({ host: '127.0.0.1', port: echoPort }));
    expect(forward.host).toBe('127.0.0.1');
    expect(forward.port).not.toBe(echoPort);
    expect(await roundTrip(forward.port, 'one')).toBe('echo:one');
    expect(await roundTrip(forward.port, 'two')).toBe('echo:two');
    expect(forward.channelsOpened).toBe(2);
    // The same route again is the same forward; another target behind the same hops reuses the hops.
    expect(await pool.forward(ref, twoHops({ host: '127.0.0.1', port: echoPort }))).toBe(forward);
    const other = await pool.forward(ref, twoHops({ host: 'localhost', port: echoPort }));
    expect(other.port).not.toBe(forward.port);
    expect(await roundTrip(other.port, 'three')).toBe('echo:three');
    await expect.poll(() => acceptedLogins(bastion) - before.bastion).toBe(1);
    expect(acceptedLogins(jump) - before.jump).toBe(1);
  });

  it('names the second hop when its host key is not the pinned one, and sends it nothing', async () => {
    const error = await newPool()
      .forward(ref, twoHops({ host: '127.0.0.1', port: echoPort }, { hostKey: bastion.hostKeyFingerprint }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SshHopError);
    const hopError = error as SshHopError;
    expect(hopError.hopIndex).toBe(1);
    expect(hopError.hopCount).toBe(2);
    expect(hopError.code).toBe('host-key-mismatch');
    expect(hopError.message).toContain('SSH hop 2 of 2 (tunnel endpoint');
    expect(hopError.message).toContain(jump.hostKeyFingerprint);
  });

  it('refuses an unknown second hop with its SHA256 fingerprint and how to pin it', async () => {
    const error = (await newPool()
      .forward(ref, twoHops({ host: '127.0.0.1', port: echoPort }, { hostKey: undefined }))
      .catch((e: unknown) => e)) as SshHopError;
    expect(error).toBeInstanceOf(SshHopError);
    expect(error.hopIndex).toBe(1);
    expect(error.code).toBe('host-key-unknown');
    expect(`${error.message} ${error.hint}`).toContain(jump.hostKeyFingerprint);
    expect(error.hint).toMatch(/hostKey|known_hosts/);
  });

  it('names the first hop when it cannot be reached', async () => {
    const closed = await new Promise<number>((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => {
        const port = (s.address() as { port: number }).port;
        s.close(() => resolve(port));
      });
    });
    const route: SshRoute = { hops: [hop(bastion, 'jump host 1', { port: closed }), hop(jump, 'tunnel endpoint')], target: { host: '127.0.0.1', port: echoPort } };
    const error = (await newPool().forward(ref, route).catch((e: unknown) => e)) as SshHopError;
    expect(error).toBeInstanceOf(SshHopError);
    expect(error.hopIndex).toBe(0);
    expect(error.code).toBe('host-unreachable');
  });

  it('records why the far end refused the database connection', async () => {
    const forward = await newPool().forward(ref, twoHops({ host: '127.0.0.1', port: 1 }));
    await expect(roundTrip(forward.port, 'x')).rejects.toThrow();
    await expect.poll(() => forward.lastChannelError).toMatch(/refused|failed/i);
  });

  it('stops opening when cancelled', async () => {
    const controller = new AbortController();
    const opening = newPool().forward(ref, twoHops({ host: '127.0.0.1', port: echoPort }), { signal: controller.signal });
    controller.abort();
    await expect(opening).rejects.toBeInstanceOf(CancelledError);
  });

  it('notices a hop that goes away, names it, and closes the forwards through it', async () => {
    const pool = newPool();
    const forward = await pool.forward(ref, twoHops({ host: '127.0.0.1', port: echoPort }));
    expect(await roundTrip(forward.port, 'before')).toBe('echo:before');
    const drops: TunnelDroppedError[] = [];
    pool.onDrop((e) => drops.push(e));
    killSessions(jump);
    await expect.poll(() => pool.dropped).toBeInstanceOf(TunnelDroppedError);
    expect(pool.dropped!.hopIndex).toBe(1);
    expect(pool.dropped!.code).toBe('tunnel-dropped');
    expect(pool.dropped!.hint).toContain('runs resume');
    expect(drops).toHaveLength(1);
    await expect(roundTrip(forward.port, 'after')).rejects.toThrow();
    // A later forward opens the hop afresh.
    const again = await pool.forward(ref, twoHops({ host: '127.0.0.1', port: echoPort }));
    expect(await roundTrip(again.port, 'again')).toBe('echo:again');
  });

  it('notices a hop whose network froze, through its keepalives', async () => {
    const proxy = await startTcpProxy({ host: bastion.host, port: bastion.port });
    try {
      const pool = new TunnelPool({ secretFor: async () => null, env: { HOME: '/nonexistent-home' }, keepalive: { intervalMs: 300, countMax: 2 } });
      pools.push(pool);
      const route: SshRoute = { hops: [hop(bastion, 'jump host 1', { port: proxy.port }), hop(jump, 'tunnel endpoint')], target: { host: '127.0.0.1', port: echoPort } };
      const forward = await pool.forward(ref, route);
      expect(await roundTrip(forward.port, 'before')).toBe('echo:before');
      proxy.freeze();
      await expect.poll(() => pool.dropped, { timeout: 15_000 }).toBeInstanceOf(TunnelDroppedError);
      expect(pool.dropped!.hopIndex).toBe(0);
      expect(pool.dropped!.message).toMatch(/keepalive|closed/);
    } finally {
      await proxy.close();
    }
  });

  it('close() stops the listener and ends every SSH session it opened', async () => {
    const pool = newPool();
    const forward = await pool.forward(ref, twoHops({ host: '127.0.0.1', port: echoPort }));
    const sessionsOpen = children(listenerPid(jump)).length;
    expect(sessionsOpen).toBeGreaterThan(0);
    await pool.close();
    await expect(roundTrip(forward.port, 'x')).rejects.toThrow();
    await expect.poll(() => children(listenerPid(jump)).length).toBe(0);
    await expect.poll(() => children(listenerPid(bastion)).length).toBe(0);
  });
});
