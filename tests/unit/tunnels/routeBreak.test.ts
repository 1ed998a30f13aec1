// Where a route broke, from the error that broke it (routeBreak.ts), how a route attempt
// records each hop (routeAttempt.ts, with a pool stand-in: the real pool is tested against
// real sshds in tests/integration/tunnels), the words the CLI and app use for a break, and
// which jump host list a "Fetch host key" request's hops come from.
import { describe, expect, it } from 'vitest';
import { HostKeyMismatchError, HostUnreachableError } from '../../../src/main/core/hosts/host';
import { jumpSecretBase } from '../../../src/main/core/tunnels/fetchHostKey';
import { RouteAttempt } from '../../../src/main/core/tunnels/routeAttempt';
import { forwardRefused, hopTimedOut, routeBreakOf } from '../../../src/main/core/tunnels/routeBreak';
import type { SshHop, SshRoute } from '../../../src/main/core/tunnels/sshRoute';
import { SshHopError, TunnelDroppedError } from '../../../src/main/core/tunnels/tunnelErrors';
import type { TunnelPool } from '../../../src/main/core/tunnels/tunnelPool';
import { ServerSchema } from '../../../src/shared/profiles';
import { formatRouteBreak } from '../../../src/shared/sshRoutes';

const hop = (hostname: string, role: string): SshHop => ({ hostname, port: 22, user: 'admin', secretKind: 'tunnel', role });
const route: SshRoute = { hops: [hop('bastion', 'jump host 1'), hop('gw', 'tunnel endpoint')], target: { host: 'db.internal', port: 5432 } };

describe('routeBreakOf', () => {
  it('keeps the failing hop and the cause’s code and hint', () => {
    const cause = new HostKeyMismatchError('ssh admin@gw:22', 'SHA256:pinned', 'SHA256:offered');
    const error = new SshHopError(1, 2, route.hops[1]!, cause);
    const found = routeBreakOf(error, route);
    expect(found).toEqual({ hopIndex: 1, hopCount: 2, code: 'host-key-mismatch', message: expect.stringContaining('SSH hop 2 of 2 (tunnel endpoint'), hint: error.hint });
    expect(found!.hint).toContain('ssh-keygen -lf');
  });

  it('puts a refused forward at the last hop, naming the database', () => {
    const found = routeBreakOf(forwardRefused(route, 'Connection refused'), route);
    expect(found).toMatchObject({ hopIndex: 1, hopCount: 2, code: 'ssh-channel-refused' });
    expect(found!.message).toContain('could not connect onwards to db.internal:5432: Connection refused');
  });

  it('puts a dropped hop where it dropped', () => {
    expect(routeBreakOf(new TunnelDroppedError(0, 2, route.hops[0]!, 'the connection closed'), route)).toMatchObject({ hopIndex: 0, code: 'tunnel-dropped' });
  });

  it('has nothing to say about a database error', () => {
    expect(routeBreakOf(new Error('password authentication failed'), route)).toBeNull();
  });

  it('words a hop timeout as an unreachable hop', () => {
    const error = hopTimedOut(route, 0, 1500);
    expect(error.code).toBe('host-unreachable');
    expect(error.message).toBe('SSH hop 1 of 2 (jump host 1, ssh admin@bastion:22) failed: Cannot reach ssh admin@bastion:22: no SSH handshake within 1.5 s');
  });
});

/** Connects hop by hop as scripted: a fingerprint per hop, or an error for the failing one; `hang` never settles. */
function scriptedPool(script: Array<string | Error | 'hang'>): TunnelPool {
  return {
    connect: (_ref: unknown, hops: readonly SshHop[]) => {
      const step = script[hops.length - 1]!;
      if (step === 'hang') return new Promise(() => undefined);
      return step instanceof Error ? Promise.reject(step) : Promise.resolve({ client: {}, description: '', hostKeyFingerprint: step });
    },
    forward: () => Promise.resolve({ host: '127.0.0.1', port: 40000 }),
  } as unknown as TunnelPool;
}
const ref = { installation: 'i', server: 's' };

describe('RouteAttempt', () => {
  it('notes every hop it opened with the key it presented', async () => {
    const attempt = new RouteAttempt(route);
    await attempt.open(scriptedPool(['SHA256:a', 'SHA256:b']), ref);
    expect(attempt.outcome().hops.map((h) => [h.status, h.hostKeyFingerprint])).toEqual([
      ['ok', 'SHA256:a'],
      ['ok', 'SHA256:b'],
    ]);
    expect(attempt.outcome().break).toBeUndefined();
  });

  it('notes the failing hop with the key it refused, and the ones never tried', async () => {
    const three: SshRoute = { ...route, hops: [...route.hops, hop('inner', 'tunnel endpoint')] };
    const refused = new SshHopError(1, 3, three.hops[1]!, new HostKeyMismatchError('ssh admin@gw:22', 'SHA256:pinned', 'SHA256:offered'));
    const attempt = new RouteAttempt(three);
    await expect(attempt.open(scriptedPool(['SHA256:a', refused, 'SHA256:c']), ref)).rejects.toBe(refused);
    expect(attempt.outcome().hops.map((h) => [h.status, h.hostKeyFingerprint])).toEqual([
      ['ok', 'SHA256:a'],
      ['failed', 'SHA256:offered'],
      ['not-tried', undefined],
    ]);
    expect(attempt.outcome().break).toMatchObject({ hopIndex: 1, hopCount: 3, code: 'host-key-mismatch' });
  });

  it('blames the hop it was waiting on when the caller gives up, and ignores what comes later', async () => {
    const attempt = new RouteAttempt(route);
    void attempt.open(scriptedPool(['SHA256:a', 'hang']), ref);
    await new Promise((r) => setImmediate(r));
    const error = attempt.giveUp(2000)!;
    expect(error).toMatchObject({ hopIndex: 1, code: 'host-unreachable' });
    expect(attempt.outcome().hops.map((h) => h.status)).toEqual(['ok', 'failed']);
    expect(attempt.outcome().break).toMatchObject({ hopIndex: 1, code: 'host-unreachable' });
    expect(attempt.broke(new HostUnreachableError('x', 'late'))).toMatchObject({ code: 'host-unreachable', hopIndex: 1 });
  });

  it('has no hop to blame once every hop is open', async () => {
    const attempt = new RouteAttempt(route);
    await attempt.open(scriptedPool(['SHA256:a', 'SHA256:b']), ref);
    expect(attempt.giveUp(2000)).toBeNull();
  });
});

describe('formatRouteBreak', () => {
  const view = { hops: [{ role: 'jump host 1', description: 'ssh a@bastion:22' }, { role: 'tunnel endpoint', description: 'ssh b@gw:22' }], target: 'db.internal:5432' };
  it('names the hop and the code', () => {
    expect(formatRouteBreak(view, { hopIndex: 1, hopCount: 2, code: 'host-key-mismatch', message: '', hint: '' })).toBe('hop 2 of 2 (tunnel endpoint · ssh b@gw:22), host-key-mismatch');
  });
  it('says the last hop could not reach the database', () => {
    expect(formatRouteBreak(view, { hopIndex: 1, hopCount: 2, code: 'ssh-channel-refused', message: '', hint: '' })).toBe(
      'hop 2 of 2 (tunnel endpoint · ssh b@gw:22) could not reach db.internal:5432, ssh-channel-refused',
    );
  });
});

describe('jumpSecretBase', () => {
  const bastion = { hostname: 'bastion', user: 'a' };
  const gw = { hostname: 'gw', user: 'b' };
  const server = ServerSchema.parse({
    name: 's',
    role: 'replica',
    host: { access: 'ssh', hostname: 'app', user: 'c', jumpHosts: [bastion] },
    db: { host: 'db', database: 'cm', user: 'cm', tunnel: { via: 'ssh', hostname: 'tun', jumpHosts: [gw, bastion] } },
  });
  it('numbers secrets after the host for its own jump hosts', () => {
    expect(jumpSecretBase(server, [bastion])).toBe('ssh');
  });
  it('and after the tunnel for the tunnel’s', () => {
    expect(jumpSecretBase(server, [gw])).toBe('tunnel');
    expect(jumpSecretBase(server, [gw, bastion])).toBe('tunnel');
  });
});
