// ~/.ssh/config aliases as route resolution sees them: a config written into a temporary
// HOME, read through routeContextFor (patterns, first match wins, %h, ProxyJump lists and
// `none`, Include), and the hops resolveHops builds from it (profile overrides, nested
// ProxyJump, loops).
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { routeContextFor, SshConfigUnreadableError, userSshConfigPath } from '../../../src/main/core/tunnels/sshConfig';
import { resolveHops, SshJumpLoopError, UnknownSshAliasError } from '../../../src/main/core/tunnels/sshRoute';

let home: string;
let env: NodeJS.ProcessEnv;

const writeConfig = (text: string, name = 'config'): void => {
  mkdirSync(join(home, '.ssh'), { recursive: true, mode: 0o700 });
  writeFileSync(join(home, '.ssh', name), text, { mode: 0o600 });
};

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'rd-sshconfig-'));
  env = { HOME: home, USER: 'alice' };
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

describe('routeContextFor: ~/.ssh/config lookups', () => {
  it('reads the config under HOME from the env it is given', () => {
    expect(userSshConfigPath(env)).toBe(join(home, '.ssh', 'config'));
  });

  it('knows no alias when there is no config file, and takes the local user from the env', async () => {
    const context = await routeContextFor(env);
    expect(context.localUser).toBe('alice');
    expect(context.lookupAlias!('bastion')).toBeNull();
  });

  it('honours HostName with %h, Port, User, the first IdentityFile and a ProxyJump list', async () => {
    writeConfig(`
Host db-*
  HostName %h.internal.example
  Port 2222
  User deploy
  IdentityFile ~/.ssh/id_first
  IdentityFile ~/.ssh/id_second
  ProxyJump jump-a,bob@jump-b:2200
`);
    const settings = (await routeContextFor(env)).lookupAlias!('db-eu1');
    expect(settings).toEqual({
      hostname: 'db-eu1.internal.example',
      port: 2222,
      user: 'deploy',
      identityFile: '~/.ssh/id_first',
      proxyJump: ['jump-a', 'bob@jump-b:2200'],
    });
  });

  it('takes the first value obtained: a specific Host before `Host *` wins, `*` only fills gaps', async () => {
    writeConfig(`
Host gw
  User ops
Host gw gw2
  User ignored
  Port 2022
Host *
  User everyone
  Port 22
  ProxyJump none
`);
    const context = await routeContextFor(env);
    expect(context.lookupAlias!('gw')).toEqual({ user: 'ops', port: 2022, proxyJump: [] });
    expect(context.lookupAlias!('gw2')).toEqual({ user: 'ignored', port: 2022, proxyJump: [] });
  });

  it('treats a name only `Host *` matches (or one a negated pattern excludes) as no alias', async () => {
    writeConfig(`
Host *.example !secret.example
  User admin
Host *
  User everyone
`);
    const context = await routeContextFor(env);
    expect(context.lookupAlias!('typo-host')).toBeNull();
    expect(context.lookupAlias!('secret.example')).toBeNull();
    expect(context.lookupAlias!('app.example')).toEqual({ user: 'admin' });
  });

  it('ProxyJump none ends a chain that a later Host * would add', async () => {
    writeConfig(`
Host inside
  ProxyJump none
Host *
  ProxyJump bastion
`);
    expect((await routeContextFor(env)).lookupAlias!('inside')).toEqual({ proxyJump: [] });
  });

  it('follows Include (relative to ~/.ssh, with a glob), at the top level and inside a Host', async () => {
    mkdirSync(join(home, '.ssh', 'conf.d'), { recursive: true });
    writeConfig('Host included\n  HostName included.example\n', 'conf.d/10-hosts');
    writeConfig('  Port 2201\n', 'port-snippet');
    writeConfig(`
Include conf.d/*
Host local
  Include port-snippet
  User me
`);
    const context = await routeContextFor(env);
    expect(context.lookupAlias!('included')).toEqual({ hostname: 'included.example' });
    expect(context.lookupAlias!('local')).toEqual({ port: 2201, user: 'me' });
  });

  it('a config that cannot be read fails the lookup with an error naming the file, not the context', async () => {
    if (process.getuid?.() === 0) {
      // root reads a 0000 file anyway: a directory in its place cannot be read by anyone.
      mkdirSync(join(home, '.ssh', 'config'), { recursive: true });
    } else {
      writeConfig('Host x\n');
      chmodSync(join(home, '.ssh', 'config'), 0);
    }
    const context = await routeContextFor(env);
    expect(() => context.lookupAlias!('x')).toThrow(SshConfigUnreadableError);
    expect(() => context.lookupAlias!('x')).toThrow(join(home, '.ssh', 'config'));
  });

  it('a garbled Port is an error naming the file and the Host', async () => {
    writeConfig('Host bad\n  Port twenty-two\n');
    const context = await routeContextFor(env);
    expect(() => context.lookupAlias!('bad')).toThrow(/\.ssh\/config: Port "twenty-two" for Host bad/);
  });
});

describe('resolveHops with ~/.ssh/config', () => {
  const base = { secretKind: 'tunnel', role: 'tunnel endpoint' };

  it('an alias with ProxyJump: the jump hosts first, numbered for their secrets', async () => {
    writeConfig(`
Host db-gw
  HostName gw.internal
  User tunnel
  ProxyJump bastion,10.0.0.5:2222
Host bastion
  HostName bastion.example
  User jump
  IdentityFile ~/.ssh/bastion_key
`);
    const hops = resolveHops({ alias: 'db-gw' }, undefined, await routeContextFor(env), base);
    expect(hops.map((h) => [h.user, h.hostname, h.port, h.secretKind, h.role, h.alias])).toEqual([
      ['jump', 'bastion.example', 22, 'tunnel-jump1', 'jump host 1', 'bastion'],
      ['alice', '10.0.0.5', 2222, 'tunnel-jump2', 'jump host 2', undefined],
      ['tunnel', 'gw.internal', 22, 'tunnel', 'tunnel endpoint', 'db-gw'],
    ]);
    expect(hops[0]!.identityFile).toBe('~/.ssh/bastion_key');
  });

  it('profile values override the alias, and the profile jumpHosts replace its ProxyJump', async () => {
    writeConfig('Host db-gw\n  HostName gw.internal\n  Port 2200\n  User tunnel\n  ProxyJump bastion\n');
    const hops = resolveHops({ alias: 'db-gw', user: 'other', hostKey: 'SHA256:abc' }, [{ hostname: 'jump.example', user: 'j' }], await routeContextFor(env), base);
    expect(hops.map((h) => `${h.user}@${h.hostname}:${h.port}`)).toEqual(['j@jump.example:22', 'other@gw.internal:2200']);
    expect(hops[1]!.hostKey).toBe('SHA256:abc');
  });

  it('follows a jump alias that has its own ProxyJump (nested), as OpenSSH does', async () => {
    writeConfig(`
Host target
  ProxyJump inner
Host inner
  HostName inner.example
  ProxyJump outer
Host outer
  HostName outer.example
`);
    const hops = resolveHops({ alias: 'target' }, undefined, await routeContextFor(env), base);
    expect(hops.map((h) => h.hostname)).toEqual(['outer.example', 'inner.example', 'target']);
    expect(hops.map((h) => h.secretKind)).toEqual(['tunnel-jump1', 'tunnel-jump2', 'tunnel']);
  });

  it('refuses a ProxyJump cycle with the chain in the message', async () => {
    writeConfig('Host a\n  ProxyJump b\nHost b\n  ProxyJump a\n');
    const context = await routeContextFor(env);
    expect(() => resolveHops({ alias: 'a' }, undefined, context, base)).toThrow(SshJumpLoopError);
    expect(() => resolveHops({ alias: 'a' }, undefined, context, base)).toThrow('a → b → a');
  });

  it('an alias the profile names must be a Host entry', async () => {
    writeConfig('Host *\n  User x\n');
    const context = await routeContextFor(env);
    expect(() => resolveHops({ alias: 'nope' }, undefined, context, base)).toThrow(UnknownSshAliasError);
  });
});
