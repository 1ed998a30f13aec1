// What counts as the same endpoint for a keychain secret: a database password's host
// (without case), port, database and user; an SSH secret's hostname, port, user and pinned
// host key, where "no pinned key" is a value of its own.
import { describe, expect, it } from 'vitest';
import { describeEndpoint, endpointOf, parseEndpoint, sameEndpoint, SecretEndpointChangedError } from '../../../src/main/core/secrets/secretEndpoint';
import { ServerSchema } from '../../../src/shared/profiles';

const KEY_A = `SHA256:${'A'.repeat(43)}`;
const KEY_B = `SHA256:${'B'.repeat(43)}`;

const server = (db: Record<string, unknown> = {}, host: Record<string, unknown> = { access: 'local' }) =>
  ServerSchema.parse({ name: 'rls1', role: 'replica', db: { host: 'db1.example', database: 'cm', user: 'cm_rls', ...db }, host });
const ssh = (over: Record<string, unknown> = {}) => ({ access: 'ssh', hostname: 'rls1.example', user: 'coremedia', hostKey: KEY_A, ...over });

describe('the endpoint of a database password', () => {
  const base = endpointOf(server(), 'db');

  it('ignores the case of the host name, and nothing but the endpoint fields', () => {
    expect(sameEndpoint(base, endpointOf(server({ host: 'DB1.Example' }), 'db'))).toBe(true);
    expect(sameEndpoint(base, endpointOf(server({ schema: 'other', sslmode: 'require' }), 'db'))).toBe(true);
  });

  it.each([
    ['host', { host: 'db2.example' }],
    ['port', { port: 5433 }],
    ['database', { database: 'CM' }],
    ['user', { user: 'cm_other' }],
  ])('changes with the %s', (_field, change) => {
    expect(sameEndpoint(base, endpointOf(server(change), 'db'))).toBe(false);
  });

  it('reads as user@host:port/database', () => {
    expect(describeEndpoint(base)).toBe('cm_rls@db1.example:5432/cm');
  });
});

describe('the endpoint of an SSH secret', () => {
  const base = endpointOf(server({}, ssh()), 'ssh');

  it('ignores the case of the host name and the identity file', () => {
    expect(sameEndpoint(base, endpointOf(server({}, ssh({ hostname: 'RLS1.example', identityFile: '~/.ssh/other' })), 'ssh'))).toBe(true);
  });

  it.each([
    ['hostname', { hostname: 'rls9.example' }],
    ['port', { port: 2222 }],
    ['user', { user: 'root' }],
    ['pinned host key', { hostKey: KEY_B }],
    ['pin, when it is dropped', { hostKey: undefined }],
  ])('changes with the %s', (_field, change) => {
    expect(sameEndpoint(base, endpointOf(server({}, ssh(change)), 'ssh'))).toBe(false);
  });

  it('treats "no pinned host key" as a value: pinning one is a change', () => {
    const unpinned = endpointOf(server({}, ssh({ hostKey: undefined })), 'ssh');
    expect(sameEndpoint(unpinned, endpointOf(server({}, ssh({ hostKey: undefined })), 'ssh'))).toBe(true);
    expect(sameEndpoint(unpinned, base)).toBe(false);
    expect(describeEndpoint(unpinned)).toBe('coremedia@rls1.example:22 (no pinned host key)');
  });

  it('tells a local host from any SSH host', () => {
    const local = endpointOf(server(), 'ssh');
    expect(sameEndpoint(local, endpointOf(server(), 'ssh'))).toBe(true);
    expect(sameEndpoint(local, base)).toBe(false);
  });
});

describe('stored endpoints and the error', () => {
  it('reads back what it wrote, and nothing else', () => {
    const e = endpointOf(server({}, ssh()), 'ssh');
    expect(parseEndpoint(JSON.stringify(e))).toEqual(e);
    expect(parseEndpoint('{"kind":"db","host":"x"}')).toBeNull();
    expect(parseEndpoint('not json')).toBeNull();
  });

  it('says where the secret was entered for, where the server points now, and what to do', () => {
    const error = new SecretEndpointChangedError({ installation: 'prod', server: 'rls1' }, 'db', endpointOf(server(), 'db'), endpointOf(server({ host: 'db2' }), 'db'));
    expect(error.code).toBe('secret-endpoint-changed');
    expect(error.message).toBe('The stored database password for prod/rls1 was entered for cm_rls@db1.example:5432/cm; the profile now points at cm_rls@db2:5432/cm. It was not used.');
    expect(error.hint).toContain('replica-desk secrets set prod/rls1 db');
    expect(error.hint).toContain('replica-desk secrets confirm prod/rls1 db');
  });
});
