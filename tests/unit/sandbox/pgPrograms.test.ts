// checkSandboxPrograms with a made-up PATH: fake server programs and client tools (sh scripts
// that print a version) stand for an installation, and empty directories for a missing one,
// whose error names the package to install for the OS.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReplicaDeskError } from '../../../src/main/core/errors';
import { PG_SERVER_BIN_ENV, checkSandboxPrograms, sandboxPackageHint } from '../../../src/main/core/sandbox/pgPrograms';

let root: string;
const DEBIAN = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\n';
const FEDORA = 'NAME="Fedora Linux"\nID=fedora\n';

function fakePrograms(name: string, programs: string[], version: string): string {
  const dir = join(root, name);
  mkdirSync(dir);
  for (const p of programs) {
    writeFileSync(join(dir, p), `#!/bin/sh\necho "${p} (PostgreSQL) ${version}"\n`);
    chmodSync(join(dir, p), 0o755);
  }
  return dir;
}

const SERVER = ['initdb', 'pg_ctl', 'postgres'];
const CLIENT = ['pg_dump', 'pg_restore', 'psql'];
let server98: string;
let client99: string;
let client13: string;
let empty: string;

async function failure(promise: Promise<unknown>): Promise<ReplicaDeskError> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(ReplicaDeskError);
  return error as ReplicaDeskError;
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'rd-pgprograms-'));
  server98 = fakePrograms('server98', SERVER, '98.1');
  client99 = fakePrograms('client99', CLIENT, '99.0');
  client13 = fakePrograms('client13', CLIENT, '13.4');
  empty = join(root, 'empty');
  mkdirSync(empty);
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('checkSandboxPrograms', () => {
  it('finds the server programs and the client tools on PATH, the newest server the tools cover', async () => {
    const found = await checkSandboxPrograms('linux', { PATH: `${client99}:${server98}` }, { osRelease: DEBIAN });
    expect(found).toEqual({ binDir: server98, clientBinDir: client99, version: '98.1' });
  });

  it('names the Debian package for missing server programs', async () => {
    const e = await failure(checkSandboxPrograms('linux', { PATH: client99, [PG_SERVER_BIN_ENV]: empty }, { osRelease: DEBIAN }));
    expect(e.code).toBe('sandbox-programs-missing');
    expect(e.message).toContain('initdb, pg_ctl, postgres');
    expect(e.hint).toContain('sudo apt-get install postgresql`');
  });

  it('names the Fedora package for missing server programs, and the client package for missing tools', async () => {
    expect((await failure(checkSandboxPrograms('linux', { PATH: client99, [PG_SERVER_BIN_ENV]: empty }, { osRelease: FEDORA }))).hint).toContain('sudo dnf install postgresql-server');
    const client = await failure(checkSandboxPrograms('linux', { REPLICA_DESK_PG_BIN: empty }, { osRelease: DEBIAN }));
    expect(client.message).toContain('pg_dump, pg_restore, psql');
    expect(client.hint).toContain('postgresql-client');
  });

  it('names Homebrew on macOS and the EDB installer on Windows', async () => {
    expect((await failure(checkSandboxPrograms('darwin', { REPLICA_DESK_PG_BIN: empty }))).hint).toContain('brew install postgresql@16');
    expect((await failure(checkSandboxPrograms('win32', { REPLICA_DESK_PG_BIN: empty }))).hint).toContain('EDB installer');
  });

  it('refuses server programs newer than every client tool (pg_dump refuses a newer server)', async () => {
    const e = await failure(checkSandboxPrograms('linux', { REPLICA_DESK_PG_BIN: client13, [PG_SERVER_BIN_ENV]: server98 }, { osRelease: DEBIAN }));
    expect(e.message).toContain('newer than the client tools');
    expect(e.hint).toContain('PostgreSQL 98 client tools');
  });

  it('names both package managers on an unknown Linux', () => {
    const hint = sandboxPackageHint('server', 'linux', 'ID=arch\n');
    expect(hint).toContain('apt-get install postgresql');
    expect(hint).toContain('dnf install postgresql-server');
  });
});
