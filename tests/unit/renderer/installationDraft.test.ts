// The server form's draft and profiles@1 (renderer/src/installations/editor/installationDraft.ts, sshHopDraft.ts):
// an installation with SSH tunnels and jump hosts survives draft → profile unchanged, and the
// shared schema's problems land on the hop fields that caused them.
import { describe, expect, it } from 'vitest';
import { InstallationSchema, type Installation, type InstallationInput } from '../../../src/shared/profiles';
import {
  draftFromInstallation,
  installationInputFrom,
  validateDraft,
  validationFromProblems,
  type InstallationDraft,
} from '../../../src/renderer/src/installations/editor/installationDraft';
import { moveHop, newSshHopDraft, viaHopsFrom } from '../../../src/renderer/src/installations/editor/sshHopDraft';
import { profileRouteOf } from '../../../src/renderer/src/components/route/profileRoute';

const KEY_A = `SHA256:${'A'.repeat(43)}`;
const KEY_B = `SHA256:${'b'.repeat(42)}9`;

const tunnelled: InstallationInput = {
  name: 'prod-eu',
  description: 'behind a bastion',
  servers: [
    {
      name: 'mls',
      role: 'master',
      db: {
        host: 'db-mls.internal',
        port: 5433,
        database: 'cm',
        user: 'cm_master',
        sslmode: 'require',
        tunnel: {
          via: 'ssh',
          hostname: 'gw.internal',
          port: 2222,
          user: 'tunnel',
          identityFile: '~/.ssh/id_tunnel',
          hostKey: KEY_A,
          jumpHosts: [{ alias: 'bastion' }, { hostname: 'jump2.internal', user: 'ops', hostKey: KEY_B, identityFile: '/keys/j2' }],
        },
      },
      host: { access: 'ssh', hostname: 'mls.internal', user: 'coremedia', hostKey: KEY_B, jumpHosts: [{ alias: 'bastion', port: 2200, user: 'me' }] },
      control: { stop: 'sudo systemctl stop mls' },
    },
    { name: 'rls1', role: 'replica', db: { host: 'db-rls1.internal', database: 'cm', user: 'cm_rls1', tunnel: { via: 'host' } }, host: { access: 'ssh', hostname: 'rls1.internal', user: 'coremedia' } },
    { name: 'rls2', role: 'replica', db: { host: '127.0.0.1', database: 'cm', user: 'cm_rls2', tunnel: { via: 'ssh', alias: 'rls2-gw' } } },
    { name: 'rls3', role: 'replica', db: { host: 'db3.example', database: 'cm', user: 'cm_rls3' } },
  ],
};

const parse = (input: InstallationInput): Installation => InstallationSchema.parse(input);
const roundTrip = (installation: Installation): Installation => parse(installationInputFrom(draftFromInstallation(installation)));

function draftOf(input: InstallationInput): InstallationDraft {
  return draftFromInstallation(parse(input));
}

describe('draft ↔ profile with SSH tunnels and jump hosts', () => {
  it('keeps every tunnel, endpoint and jump host field through a round trip', () => {
    const original = parse(tunnelled);
    expect(roundTrip(original)).toEqual(original);
    // And in the form's own terms: each choice as the admin sees it.
    const draft = draftFromInstallation(original);
    expect(draft.servers.map((s) => s.tunnel.via)).toEqual(['ssh', 'host', 'ssh', 'direct']);
    expect(draft.servers[0]!.tunnel.endpoint).toMatchObject({ hostname: 'gw.internal', port: '2222', user: 'tunnel', hostKey: KEY_A });
    expect(draft.servers[0]!.tunnel.jumpHosts.map((h) => h.alias || h.hostname)).toEqual(['bastion', 'jump2.internal']);
    expect(draft.servers[0]!.host.jumpHosts[0]).toMatchObject({ alias: 'bastion', port: '2200', user: 'me', hostname: '' });
  });

  it('leaves a hop port out when it is empty, so the ~/.ssh/config Port applies', () => {
    const input = installationInputFrom(draftOf(tunnelled));
    const rls2 = input.servers[2]!.db.tunnel;
    expect(rls2).toEqual({ via: 'ssh', alias: 'rls2-gw' });
    const bastion = (input.servers[0]!.db.tunnel as { jumpHosts: object[] }).jumpHosts[0];
    expect(bastion).toEqual({ alias: 'bastion' });
  });

  it('writes no db.tunnel for a direct connection, and keeps the endpoint in the form while another choice is shown', () => {
    const draft = draftOf(tunnelled);
    const mls = draft.servers[0]!;
    const direct: InstallationDraft = { ...draft, servers: [{ ...mls, tunnel: { ...mls.tunnel, via: 'direct' } }, ...draft.servers.slice(1)] };
    expect(installationInputFrom(direct).servers[0]!.db.tunnel).toBeUndefined();
    expect(direct.servers[0]!.tunnel.endpoint.hostname).toBe('gw.internal');
    const back: InstallationDraft = { ...direct, servers: [{ ...mls, tunnel: { ...mls.tunnel, via: 'ssh' } }, ...direct.servers.slice(1)] };
    expect(parse(installationInputFrom(back))).toEqual(parse(tunnelled));
  });

  it('treats an empty jump host list as none (the alias\'s ProxyJump applies either way)', () => {
    const withEmpty = parse({ ...tunnelled, servers: [{ ...tunnelled.servers[0]!, host: { access: 'ssh', hostname: 'h', user: 'u', jumpHosts: [] } }, ...tunnelled.servers.slice(1)] });
    const host = roundTrip(withEmpty).servers[0]!.host;
    expect(host.access === 'ssh' ? host.jumpHosts : 'local').toBeUndefined();
  });
});

describe('the schema\'s problems on hop fields', () => {
  it('puts a hop without hostname or alias, and a bad hop port, on that hop\'s fields', () => {
    const draft = draftOf(tunnelled);
    const mls = draft.servers[0]!;
    const broken: InstallationDraft = {
      ...draft,
      servers: [
        {
          ...mls,
          tunnel: { ...mls.tunnel, jumpHosts: [mls.tunnel.jumpHosts[0]!, newSshHopDraft()], endpoint: { ...mls.tunnel.endpoint, port: '70000' } },
          host: { ...mls.host, jumpHosts: [{ ...mls.host.jumpHosts[0]!, hostKey: 'SHA256:short' }] },
        },
        ...draft.servers.slice(1),
      ],
    };
    const result = validateDraft(broken);
    expect(result.valid).toBe(false);
    expect(result.general).toEqual([]);
    expect(result.byField.get('servers.0.db.tunnel.jumpHosts.1.hostname')).toEqual(['an SSH hop needs a hostname, or an alias from ~/.ssh/config']);
    expect(result.byField.get('servers.0.db.tunnel.port')).toEqual(['port must be between 1 and 65535']);
    expect(result.byField.get('servers.0.host.jumpHosts.0.hostKey')?.[0]).toMatch(/OpenSSH fingerprint/);
  });

  it('says on the connection choice that "through the server\'s SSH host" needs SSH host access', () => {
    const draft = draftOf(tunnelled);
    const rls1 = draft.servers[1]!;
    const local: InstallationDraft = { ...draft, servers: [draft.servers[0]!, { ...rls1, host: { ...rls1.host, access: 'local' } }, ...draft.servers.slice(2)] };
    expect(validateDraft(local).byField.get('servers.1.db.tunnel.via')?.[0]).toMatch(/needs host\.access "ssh"/);
  });

  it('maps the core\'s JSON paths for hops onto the same fields', () => {
    const draft = draftOf(tunnelled);
    const result = validationFromProblems(draft, [
      { path: '$.servers[0].host.jumpHosts[0].user', message: 'user must not be empty' },
      { path: '$.installation.servers[0].db.tunnel.jumpHosts[1].alias', message: 'alias is unknown' },
      { path: '$.servers[0].db.tunnel.jumpHosts[5].alias', message: 'no such hop in the form' },
    ]);
    expect(result.byField.get('servers.0.host.jumpHosts.0.user')).toEqual(['user must not be empty']);
    expect(result.byField.get('servers.0.db.tunnel.jumpHosts.1.alias')).toEqual(['alias is unknown']);
    expect(result.general).toEqual(['no such hop in the form']);
  });
});

describe('jump host lists', () => {
  it('moves a hop up and down, and ignores a move past either end', () => {
    expect(moveHop(['a', 'b', 'c'], 2, -1)).toEqual(['a', 'c', 'b']);
    expect(moveHop(['a', 'b', 'c'], 0, 1)).toEqual(['b', 'a', 'c']);
    expect(moveHop(['a', 'b', 'c'], 0, -1)).toEqual(['a', 'b', 'c']);
    expect(moveHop(['a', 'b', 'c'], 2, 1)).toEqual(['a', 'b', 'c']);
  });

  it('offers the hops before a hop as probeHostKey\'s `via` only once each of them is usable', () => {
    const hops = draftOf(tunnelled).servers[0]!.tunnel.jumpHosts;
    expect(viaHopsFrom(hops)).toEqual([{ alias: 'bastion' }, { hostname: 'jump2.internal', user: 'ops', hostKey: KEY_B, identityFile: '/keys/j2' }]);
    expect(viaHopsFrom([])).toEqual([]);
    expect(viaHopsFrom([...hops, newSshHopDraft()])).toBeNull();
    expect(viaHopsFrom([{ ...hops[1]!, port: 'x' }])).toBeNull();
  });
});

describe('the route as the profile writes it (server card)', () => {
  it('lists the jump hosts, then the endpoint or the server host, then the database', () => {
    const [mls, rls1, rls2, rls3] = parse(tunnelled).servers;
    expect(profileRouteOf(mls!)).toEqual({
      hops: [
        { role: 'jump host 1', text: 'ssh alias bastion', pinned: false },
        { role: 'jump host 2', text: 'ssh ops@jump2.internal', pinned: true },
        { role: 'tunnel endpoint', text: 'ssh tunnel@gw.internal:2222', pinned: true },
      ],
      target: 'db-mls.internal:5433',
    });
    expect(profileRouteOf(rls1!)).toEqual({ hops: [{ role: 'server host', text: 'ssh coremedia@rls1.internal:22', pinned: false }], target: 'db-rls1.internal:5432' });
    expect(profileRouteOf(rls2!)?.hops.map((h) => h.text)).toEqual(['ssh alias rls2-gw']);
    expect(profileRouteOf(rls3!)).toBeNull();
  });
});
