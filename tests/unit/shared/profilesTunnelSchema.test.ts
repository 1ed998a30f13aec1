// profiles@1's tunnel extension (db.tunnel, host.jumpHosts, SSH hops by alias): the example
// with tunnels validates, and every new field's bad value is reported at its JSON path.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonPath, ProfilesFileSchema } from '../../../src/shared/profiles';

const example = () => JSON.parse(readFileSync(join(__dirname, '../../fixtures/profiles.tunnels.example.json'), 'utf8')) as { installations: Array<{ servers: Array<Record<string, any>> }> };

const problems = (value: unknown): string[] => {
  const r = ProfilesFileSchema.safeParse(value);
  return r.success ? [] : r.error.issues.map((i) => `${jsonPath(i.path)}: ${i.message}`);
};

const KEY = 'SHA256:9Wz1cTQm4yMErH1JtHfOqhC3Qm0Ew7y0d1mXbqG1Ff4';

describe('profiles@1 with SSH tunnels and jump hosts', () => {
  it('accepts the tunnels example: via host with host.jumpHosts, via ssh with an alias and an alias jump host', () => {
    const parsed = ProfilesFileSchema.parse(example());
    const [mls, rls1] = parsed.installations[0]!.servers;
    expect(mls!.db.tunnel).toEqual({ via: 'host' });
    expect(mls!.host).toMatchObject({ access: 'ssh', port: 22, jumpHosts: [{ hostname: 'bastion.example.com', user: 'jump' }] });
    // A hop's port stays unset, so that ~/.ssh/config's Port can apply.
    expect(rls1!.db.tunnel).toEqual({ via: 'ssh', alias: 'db-gateway', jumpHosts: [{ alias: 'bastion' }] });
  });

  it('a profile without tunnels stays valid as before (backwards compatible)', () => {
    const file = example();
    for (const server of file.installations[0]!.servers) {
      delete server.db.tunnel;
      delete server.host.jumpHosts;
    }
    expect(problems(file)).toEqual([]);
  });

  it('reports a bad host key in jumpHosts[1] at its path', () => {
    const file = example();
    file.installations[0]!.servers[0]!.host.jumpHosts.push({ hostname: 'gw.example.com', hostKey: 'MD5:aa:bb' });
    expect(problems(file)).toEqual(['$.installations[0].servers[0].host.jumpHosts[1].hostKey: hostKey must be an OpenSSH fingerprint like SHA256:<43 base64 characters>']);
  });

  it('via "host" needs host.access "ssh"', () => {
    const file = example();
    file.installations[0]!.servers[1]!.db.tunnel = { via: 'host' };
    expect(problems(file)).toEqual([`$.installations[0].servers[1].db.tunnel.via: db.tunnel.via "host" needs host.access "ssh" (the server's own SSH host to tunnel through)`]);
  });

  it('a Unix socket db.host cannot be tunnelled', () => {
    const file = example();
    file.installations[0]!.servers[0]!.db.host = '/var/run/postgresql';
    expect(problems(file)).toEqual(['$.installations[0].servers[0].db.host: db.host must be a TCP host name or address when db.tunnel is set (a Unix socket cannot be forwarded)']);
  });

  it('checks every field of an explicit tunnel endpoint and its jump hosts', () => {
    const file = example();
    file.installations[0]!.servers[1]!.db.tunnel = {
      via: 'ssh',
      hostname: '-oProxyCommand=evil',
      port: 0,
      user: '',
      identityFile: '',
      hostKey: KEY.slice(0, 20),
      jumpHosts: [{ user: 'x' }, { alias: 'has space' }, 'bastion'],
    };
    expect(problems(file)).toEqual(
      expect.arrayContaining([
        '$.installations[0].servers[1].db.tunnel.hostname: hostname must not contain spaces or start with "-"',
        '$.installations[0].servers[1].db.tunnel.port: port must be between 1 and 65535',
        '$.installations[0].servers[1].db.tunnel.user: user must not be empty',
        '$.installations[0].servers[1].db.tunnel.identityFile: identityFile must not be empty',
        '$.installations[0].servers[1].db.tunnel.hostKey: hostKey must be an OpenSSH fingerprint like SHA256:<43 base64 characters>',
        '$.installations[0].servers[1].db.tunnel.jumpHosts[0].hostname: an SSH hop needs a hostname, or an alias from ~/.ssh/config',
        '$.installations[0].servers[1].db.tunnel.jumpHosts[1].alias: alias must not contain spaces or start with "-"',
        expect.stringMatching(/^\$\.installations\[0\]\.servers\[1\]\.db\.tunnel\.jumpHosts\[2\]: /),
      ]),
    );
  });

  it('an explicit tunnel endpoint needs a hostname or an alias; via must be "host" or "ssh"', () => {
    const file = example();
    file.installations[0]!.servers[1]!.db.tunnel = { via: 'ssh', user: 'x' };
    file.installations[0]!.servers[0]!.db.tunnel = { via: 'vpn' };
    expect(problems(file)).toEqual(
      expect.arrayContaining([
        '$.installations[0].servers[1].db.tunnel.hostname: an SSH hop needs a hostname, or an alias from ~/.ssh/config',
        '$.installations[0].servers[0].db.tunnel.via: db.tunnel.via must be "host" or "ssh"',
      ]),
    );
  });

  it('at most 8 jump hosts, in host.jumpHosts and db.tunnel.jumpHosts', () => {
    const file = example();
    const nine = Array.from({ length: 9 }, (_, i) => ({ hostname: `j${i}.example.com` }));
    file.installations[0]!.servers[0]!.host.jumpHosts = nine;
    file.installations[0]!.servers[1]!.db.tunnel.jumpHosts = nine;
    file.installations[0]!.servers[1]!.host = { access: 'ssh', hostname: 'h', user: 'u', jumpHosts: { hostname: 'not-a-list' } };
    expect(problems(file)).toEqual(
      expect.arrayContaining([
        '$.installations[0].servers[0].host.jumpHosts: at most 8 jump hosts',
        '$.installations[0].servers[1].db.tunnel.jumpHosts: at most 8 jump hosts',
        '$.installations[0].servers[1].host.jumpHosts: jumpHosts must be a list of SSH hops',
      ]),
    );
  });
});
