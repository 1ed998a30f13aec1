// The stand-in CoreMedia server and its control commands, run the way a restore runs them:
// through the local host and through a real sshd. A running stand-in holds a connection
// that pg_stat_activity shows; a stopped one holds none; a lying stop leaves it running.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Host } from '../../../src/main/core/hosts/host';
import { LocalHost } from '../../../src/main/core/hosts/localHost';
import { openSshHost } from '../../../src/main/core/hosts/sshHost';
import { createContentServer } from '../../harness/coremedia/contentServerDatabase';
import { startCluster, type PgCluster } from '../../harness/postgresCluster';
import { startSshd, type Sshd } from '../../harness/sshd';
import { STAND_IN_APPLICATION_NAME, standInControl, standInStopCommand, type StandInOptions } from '../../harness/standInServer';

const password = `Pw-${randomBytes(9).toString('base64url')}`;
const local = new LocalHost();
let cluster: PgCluster;
let sshd: Sshd;
let ssh: Host;
let dir: string;
let pgpassFile: string;
const started: string[] = [];

async function sessionsOf(user: string, applicationName = STAND_IN_APPLICATION_NAME): Promise<number> {
  const result = await cluster.query<{ n: string }>(
    'SELECT count(*) AS n FROM pg_stat_activity WHERE usename = $1 AND datname = $2 AND application_name = $3',
    [user, 'rls', applicationName],
  );
  return Number(result.rows[0]?.n);
}

function standIn(name: string, extra: Partial<StandInOptions> = {}): ReturnType<typeof standInControl> {
  const standInDir = join(dir, name);
  started.push(standInDir);
  return standInControl({ dir: standInDir, db: { host: '127.0.0.1', port: cluster.port, database: 'rls', user: 'cm_rls' }, pgpassFile, applicationName: name, ...extra });
}

beforeAll(async () => {
  [cluster, sshd] = await Promise.all([startCluster(), startSshd()]);
  await createContentServer(cluster, { layout: 'database-per-server', database: 'rls', role: 'cm_rls', password, serverType: 'live' });
  dir = mkdtempSync(join(tmpdir(), 'rd-standin-'));
  pgpassFile = join(dir, 'pgpass');
  writeFileSync(pgpassFile, `127.0.0.1:${cluster.port}:*:cm_rls:${password}\n`, { mode: 0o600 });
  ssh = await openSshHost({ hostname: sshd.host, port: sshd.port, user: sshd.user, identityFile: sshd.identityFile, hostKey: sshd.hostKeyFingerprint });
});

afterAll(async () => {
  for (const d of started) await local.run(standInStopCommand(d)).catch(() => undefined);
  await ssh?.close();
  await Promise.allSettled([cluster?.stop(), sshd?.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.each([
  ['the local host', () => local],
  ['SSH', () => ssh],
])('stand-in server controlled through %s', (label, host) => {
  const name = label === 'SSH' ? 'standin-ssh' : 'standin-local';

  it('start connects and status reports it running; stop disconnects and status reports it stopped', async () => {
    const control = standIn(name);
    expect(await sessionsOf('cm_rls', name)).toBe(0);
    expect((await host().run(control.status)).exitCode).not.toBe(0);

    const start = await host().run(control.start, { timeoutMs: 40_000 });
    expect(start, start.stderr).toMatchObject({ exitCode: 0 });
    expect((await host().run(control.status)).exitCode).toBe(0);
    expect(await sessionsOf('cm_rls', name)).toBe(1);
    // A second start, as a real start script, leaves the running server alone.
    expect((await host().run(control.start)).exitCode).toBe(0);
    expect(await sessionsOf('cm_rls', name)).toBe(1);

    const stop = await host().run(control.stop, { timeoutMs: 40_000 });
    expect(stop, stop.stderr).toMatchObject({ exitCode: 0 });
    expect((await host().run(control.status)).exitCode).not.toBe(0);
    expect(await sessionsOf('cm_rls', name)).toBe(0);
  });
});

describe('stand-in server misbehaving on purpose', () => {
  it('a lying stop exits 0 and leaves the server running and connected', async () => {
    const control = standIn('standin-lying', { lyingStop: true });
    expect((await local.run(control.start)).exitCode).toBe(0);
    expect((await local.run(control.stop)).exitCode).toBe(0);
    expect((await local.run(control.status)).exitCode).toBe(0);
    expect(await sessionsOf('cm_rls', 'standin-lying')).toBe(1);
    expect((await local.run(standInStopCommand(join(dir, 'standin-lying')))).exitCode).toBe(0);
    expect(await sessionsOf('cm_rls', 'standin-lying')).toBe(0);
  });

  it('a start that never starts exits 0 while status keeps reporting it stopped', async () => {
    const control = standIn('standin-never', { neverStarts: true });
    expect((await local.run(control.start)).exitCode).toBe(0);
    expect((await local.run(control.status)).exitCode).not.toBe(0);
  });

  it('a start that cannot connect fails and says why', async () => {
    const wrongPgpass = join(dir, 'pgpass-wrong');
    writeFileSync(wrongPgpass, `127.0.0.1:${cluster.port}:*:cm_rls:not-${password}\n`, { mode: 0o600 });
    const control = standIn('standin-wrong', { pgpassFile: wrongPgpass });
    const result = await local.run(control.start, { timeoutMs: 40_000 });
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toContain('password authentication failed');
    expect((await local.run(control.status)).exitCode).not.toBe(0);
  });
});
