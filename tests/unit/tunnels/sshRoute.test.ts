// Routes from profiles: the hops in order from this workstation (jump hosts, then the
// endpoint), defaults as OpenSSH applies them, the keychain kind per hop and where the
// profile spells each hop, for hints that say which hostKey to pin.
import { describe, expect, it } from 'vitest';
import { dbRouteOf, describeRoute, hostRouteOf, parseJumpSpec } from '../../../src/main/core/tunnels/sshRoute';
import { ServerSchema } from '../../../src/shared/profiles';

const context = { localUser: 'admin' };
const server = (extra: Record<string, unknown>) =>
  ServerSchema.parse({ name: 'rls1', role: 'replica', db: { host: 'db.internal', database: 'cm', user: 'rls1', ...(extra.db as object) }, ...(extra.host ? { host: extra.host } : {}) });

describe('dbRouteOf', () => {
  it('is null for a direct connection', () => {
    expect(dbRouteOf(server({ db: {} }), context)).toBeNull();
  });

  it('puts the jump hosts first and the tunnel endpoint last, with defaults and kinds', () => {
    const route = dbRouteOf(
      server({
        db: {
          port: 5433,
          tunnel: { via: 'ssh', hostname: 'gw.internal', user: 'ops', hostKey: `SHA256:${'A'.repeat(43)}`, jumpHosts: [{ hostname: 'bastion.example.com', port: 2222 }, { hostname: 'inner', user: 'jump' }] },
        },
      }),
      context,
    )!;
    expect(route.target).toEqual({ host: 'db.internal', port: 5433 });
    expect(route.hops.map((h) => [h.hostname, h.port, h.user, h.secretKind, h.role, h.profilePath])).toEqual([
      ['bastion.example.com', 2222, 'admin', 'tunnel-jump1', 'jump host 1', 'db.tunnel.jumpHosts[0]'],
      ['inner', 22, 'jump', 'tunnel-jump2', 'jump host 2', 'db.tunnel.jumpHosts[1]'],
      ['gw.internal', 22, 'ops', 'tunnel', 'tunnel endpoint', 'db.tunnel'],
    ]);
    expect(describeRoute(route)).toBe('ssh admin@bastion.example.com:2222 → ssh jump@inner:22 → ssh ops@gw.internal:22 → db.internal:5433');
  });

  it('goes through the server host and its jump hosts for via "host"', () => {
    const s = server({ db: { host: 'localhost', tunnel: { via: 'host' } }, host: { access: 'ssh', hostname: 'rls1.internal', user: 'coremedia', jumpHosts: [{ hostname: 'bastion' }] } });
    const route = dbRouteOf(s, context)!;
    expect(route.hops).toEqual(hostRouteOf(s, context));
    expect(route.hops.map((h) => [h.hostname, h.secretKind, h.profilePath])).toEqual([
      ['bastion', 'ssh-jump1', 'host.jumpHosts[0]'],
      ['rls1.internal', 'ssh', 'host'],
    ]);
    expect(route.target).toEqual({ host: 'localhost', port: 5432 });
  });

  it('takes an alias from ~/.ssh/config, with the profile winning and ProxyJump as the jump hosts', () => {
    const lookupAlias = (alias: string) =>
      alias === 'prod-gw' ? { hostname: 'gw.internal', port: 2200, user: 'cfg', identityFile: '~/.ssh/gw', proxyJump: ['ops@bastion:2222'] } : null;
    const route = dbRouteOf(server({ db: { tunnel: { via: 'ssh', alias: 'prod-gw', user: 'override' } } }), { ...context, lookupAlias })!;
    expect(route.hops.map((h) => [h.hostname, h.port, h.user, h.identityFile, h.alias, h.profilePath])).toEqual([
      ['bastion', 2222, 'ops', undefined, undefined, undefined],
      ['gw.internal', 2200, 'override', '~/.ssh/gw', 'prod-gw', 'db.tunnel'],
    ]);
  });

  it('refuses an alias that ~/.ssh/config does not know', () => {
    expect(() => dbRouteOf(server({ db: { tunnel: { via: 'ssh', alias: 'nowhere' } } }), context)).toThrow(/not a Host in ~\/.ssh\/config/);
  });
});

describe('parseJumpSpec', () => {
  it('reads [user@]host[:port] and [v6]:port', () => {
    expect(parseJumpSpec('bastion')).toEqual({ alias: 'bastion' });
    expect(parseJumpSpec('ops@bastion:2222')).toEqual({ alias: 'bastion', user: 'ops', port: 2222 });
    expect(parseJumpSpec('ops@[::1]:2222')).toEqual({ alias: '::1', user: 'ops', port: 2222 });
  });
});
