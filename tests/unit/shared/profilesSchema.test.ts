import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonPath, parseServerRef, ProfilesFileSchema } from '../../../src/shared/profiles';

const exampleText = readFileSync(join(__dirname, '../../fixtures/profiles.example.json'), 'utf8');
const example = () => JSON.parse(exampleText) as { installations: Array<Record<string, any>> };

const problems = (value: unknown) => {
  const r = ProfilesFileSchema.safeParse(value);
  return r.success ? [] : r.error.issues.map((i) => `${jsonPath(i.path)}: ${i.message}`);
};

describe('profiles@1 schema', () => {
  it('accepts the contract example and fills in the defaults', () => {
    const parsed = ProfilesFileSchema.parse(example());
    const [inst] = parsed.installations;
    expect(inst!.servers.map((s) => s.name)).toEqual(['mls', 'rls1', 'rls2']);
    const rls1 = inst!.servers[1]!;
    expect(rls1.db.port).toBe(5432);
    expect(rls1.encryptedPasswords).toBe(false);
    expect(rls1.host).toEqual({ access: 'ssh', hostname: 'rls1.example.com', user: 'coremedia', port: 22 });
  });

  it('defaults schema to the user and onlineBackup to true', () => {
    const file = example();
    delete file.installations[0]!.onlineBackup;
    delete file.installations[0]!.servers[0].db.schema;
    const parsed = ProfilesFileSchema.parse(file);
    expect(parsed.installations[0]!.onlineBackup).toBe(true);
    expect(parsed.installations[0]!.servers[0]!.db.schema).toBe('cm_master');
  });

  it('lists every problem with its JSON path', () => {
    const file = example();
    const inst = file.installations[0]!;
    inst.servers[1].role = 'master'; // two masters
    inst.servers[2].name = 'rls1'; // duplicate name
    inst.servers[0].db.port = 70000; // out of range
    delete inst.servers[1].db.database; // required
    inst.servers[2].host = { access: 'ssh', hostname: 'x' }; // missing user
    expect(problems(file)).toEqual(
      expect.arrayContaining([
        '$.installations[0].servers[0].db.port: db.port must be between 1 and 65535',
        '$.installations[0].servers[1].db.database: db.database is required and must be a string',
        '$.installations[0].servers[2].host.user: host.user is required and must be a string',
        expect.stringMatching(/^\$\.installations\[0\]\.servers: an installation needs exactly one server with role "master" \(found 2\)/),
        expect.stringMatching(/^\$\.installations\[0\]\.servers\[2\]\.name: server name "rls1" is already used/),
      ]),
    );
  });

  it('rejects a wrong format tag and duplicate installation names', () => {
    const file = example() as Record<string, any>;
    file.format = 'replica-desk/profiles@2';
    file.installations.push(JSON.parse(JSON.stringify(file.installations[0])));
    expect(problems(file)).toEqual(
      expect.arrayContaining([
        '$.format: format must be "replica-desk/profiles@1"',
        expect.stringMatching(/^\$\.installations\[1\]\.name: installation name "prod-eu" is already used/),
      ]),
    );
  });

  it('checks sslmode and SSH host key fingerprints', () => {
    const file = example();
    file.installations[0]!.servers[0].db.sslmode = 'sometimes';
    file.installations[0]!.servers[1].host.hostKey = 'md5:aa:bb';
    const found = problems(file);
    expect(found.some((p) => p.startsWith('$.installations[0].servers[0].db.sslmode:'))).toBe(true);
    expect(found.some((p) => p.startsWith('$.installations[0].servers[1].host.hostKey:'))).toBe(true);
  });
});

describe('names in profiles', () => {
  it('are safe as file names: no "/", "\\", ".." or NUL in installation and server names', () => {
    for (const bad of ['a/b', 'a\\b', '..', 'prod..eu', 'a\u0000b']) {
      const file = example();
      file.installations[0]!.name = bad;
      file.installations[0]!.servers[1].name = bad;
      const found = problems(file);
      expect(found.some((p) => p.startsWith('$.installations[0].name:'))).toBe(true);
      expect(found.some((p) => p.startsWith('$.installations[0].servers[1].name:'))).toBe(true);
    }
  });

  it('accept database, user and schema names that PostgreSQL keeps whole: at most 63 bytes, no NUL', () => {
    const file = example();
    file.installations[0]!.servers[0].db.database = 'd'.repeat(63);
    file.installations[0]!.servers[0].db.user = 'ü'.repeat(31); // 62 bytes
    expect(problems(file)).toEqual([]);
    file.installations[0]!.servers[0].db.database = 'd'.repeat(64);
    file.installations[0]!.servers[0].db.user = 'ü'.repeat(32); // 64 bytes
    file.installations[0]!.servers[0].db.schema = 'cm\u0000master';
    const found = problems(file);
    expect(found.some((p) => /^\$\.installations\[0\]\.servers\[0\]\.db\.database: .*63 bytes/.test(p))).toBe(true);
    expect(found.some((p) => /^\$\.installations\[0\]\.servers\[0\]\.db\.user: .*63 bytes/.test(p))).toBe(true);
    expect(found.some((p) => /^\$\.installations\[0\]\.servers\[0\]\.db\.schema: .*NUL/.test(p))).toBe(true);
  });
});

describe('server references', () => {
  it('parses installation/server and nothing else', () => {
    expect(parseServerRef('prod-eu/rls1')).toEqual({ installation: 'prod-eu', server: 'rls1' });
    expect(parseServerRef('prod-eu')).toBeNull();
    expect(parseServerRef('a/b/c')).toBeNull();
    expect(parseServerRef('/b')).toBeNull();
  });
});
