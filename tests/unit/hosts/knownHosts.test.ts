// The known_hosts parser against files the real OpenSSH tools write and read: keys from
// `ssh-keygen`, names hashed by `ssh-keygen -H`, and `ssh-keygen -F` as the judge of which
// names a line matches.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KNOWN_HOSTS_ENV, KnownHosts, SYSTEM_KNOWN_HOSTS, hostFieldMatches, knownHostsFiles, knownHostsName, parseKnownHosts } from '../../../src/main/core/hosts/knownHosts';

let dir: string;
/** `ssh-ed25519 AAAA…` of three fresh keys. */
let keyA: string;
let keyB: string;
let keyC: string;

const blob = (publicKey: string): Buffer => Buffer.from(publicKey.split(' ')[1]!, 'base64');

function newKey(name: string): string {
  const file = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', file]);
  return readFileSync(`${file}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ');
}

/** Whether OpenSSH's own lookup (`ssh-keygen -F`) finds `name` in the file. */
function opensshFinds(file: string, name: string): boolean {
  return spawnSync('ssh-keygen', ['-F', name, '-f', file], { encoding: 'utf8' }).status === 0;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rd-knownhosts-'));
  keyA = newKey('a');
  keyB = newKey('b');
  keyC = newKey('c');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('knownHostsName', () => {
  it('is the lower-cased host on port 22 and [host]:port elsewhere', () => {
    expect(knownHostsName('DB1.Example.com', 22)).toBe('db1.example.com');
    expect(knownHostsName('127.0.0.1', 2222)).toBe('[127.0.0.1]:2222');
  });
});

describe('host patterns, judged by ssh-keygen -F', () => {
  const lines = [
    'db1.example.com,10.0.0.1',
    '*.prod.example.com,!secret.prod.example.com',
    'web?.example.com',
    '[127.0.0.1]:2222',
    '[*.lab]:2200',
  ];
  const names = [
    'db1.example.com',
    '10.0.0.1',
    'db2.example.com',
    'a.prod.example.com',
    'secret.prod.example.com',
    'web1.example.com',
    'web12.example.com',
    '[127.0.0.1]:2222',
    '127.0.0.1',
    '[127.0.0.1]:2223',
    '[x.lab]:2200',
    'x.lab',
  ];

  it('matches exactly the names OpenSSH matches', () => {
    for (const field of lines) {
      const file = join(dir, `patterns-${lines.indexOf(field)}`);
      writeFileSync(file, `${field} ${keyA}\n`);
      for (const name of names) expect([field, name, hostFieldMatches(field, name)]).toEqual([field, name, opensshFinds(file, name)]);
    }
    // The table above is not vacuous: both outcomes occur.
    expect(hostFieldMatches(lines[1]!, 'a.prod.example.com')).toBe(true);
    expect(hostFieldMatches(lines[1]!, 'secret.prod.example.com')).toBe(false);
  }, 60_000); // 60 runs of ssh-keygen, slow on a busy machine

  it('matches names hashed by ssh-keygen -H, and only those', () => {
    const file = join(dir, 'hashed');
    writeFileSync(file, `db1.example.com ${keyA}\n[127.0.0.1]:2222 ${keyB}\n`);
    execFileSync('ssh-keygen', ['-H', '-f', file], { stdio: 'ignore' });
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain('example.com');
    const entries = parseKnownHosts(text, file);
    expect(entries).toHaveLength(2);
    expect(entries.every((e) => e.hosts.startsWith('|1|'))).toBe(true);
    const known = new KnownHosts(entries, [file]);
    expect(known.check('db1.example.com', 22, blob(keyA))).toMatchObject({ kind: 'known', entry: { line: 1 } });
    expect(known.check('DB1.example.com', 22, blob(keyA))).toMatchObject({ kind: 'known' });
    expect(known.check('127.0.0.1', 2222, blob(keyB))).toMatchObject({ kind: 'known', entry: { line: 2 } });
    expect(known.check('127.0.0.1', 22, blob(keyB))).toEqual({ kind: 'unknown' });
    expect(known.check('db2.example.com', 22, blob(keyA))).toEqual({ kind: 'unknown' });
  });
});

describe('KnownHosts.check', () => {
  it('tells a known key, a changed key, a revoked key and an unknown host apart, naming the file and line', () => {
    const file = join(dir, 'mixed');
    const text = [
      '# a comment',
      '',
      `@cert-authority *.example.com ${keyC}`,
      `db1.example.com ${keyA} admin@laptop`,
      `@revoked * ${keyB}`,
      'broken-line-without-key',
      `db2.example.com ${keyB}`,
    ].join('\n');
    const known = KnownHosts.parse(text, file);
    expect(known.check('db1.example.com', 22, blob(keyA))).toMatchObject({ kind: 'known', entry: { file, line: 4, keyType: 'ssh-ed25519' } });
    expect(known.check('db1.example.com', 22, blob(keyC))).toMatchObject({ kind: 'changed', entries: [{ file, line: 4 }] });
    // Revoked wins even where another line records the same key for the host.
    expect(known.check('db2.example.com', 22, blob(keyB))).toMatchObject({ kind: 'revoked', entry: { line: 5 } });
    // @cert-authority lines vouch for nothing.
    expect(known.check('x.example.com', 22, blob(keyC))).toEqual({ kind: 'unknown' });
    expect(known.keyTypesFor('db1.example.com', 22)).toEqual(['ssh-ed25519']);
  });
});

describe('knownHostsFiles', () => {
  it('reads ~/.ssh/known_hosts, known_hosts2 and the system file, ~ from the env; the env var replaces them', () => {
    expect(knownHostsFiles({ HOME: '/home/admin' })).toEqual(['/home/admin/.ssh/known_hosts', '/home/admin/.ssh/known_hosts2', SYSTEM_KNOWN_HOSTS]);
    expect(knownHostsFiles({ HOME: '/home/admin', [KNOWN_HOSTS_ENV]: '/a:/b' })).toEqual(['/a', '/b']);
  });

  it('skips missing files and names unreadable ones', async () => {
    const readable = join(dir, 'readable');
    writeFileSync(readable, `db1.example.com ${keyA}\n`);
    const known = await KnownHosts.read([join(dir, 'missing'), dir, readable]);
    expect(known.entries).toHaveLength(1);
    expect(known.unreadable).toEqual([`${dir} (EISDIR)`]);
  });
});
