// "TLS or not encrypted" for every database, through the CLI as an admin sees it: rls1's
// cluster offers TLS (self-signed) and its profile keeps sslmode prefer, the master's
// cluster has no TLS. The connection test, topology, preflight (a warning where a password
// travels in plaintext) and the run record each say which is which.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertCliBuilt } from '../../harness/cli';
import { startRestoreEnvironment, type RestoreEnvironment } from '../../harness/restoreEnvironment';
import type { TopologyDocument } from '../../../src/shared/topology';

let env: RestoreEnvironment;
let ref: (server: string) => string;
/** What pg_stat_ssl says of a TLS session to rls1's cluster: the version the server negotiated. */
let serverTlsVersion: string;

const TLS = () => ({ tls: true, protocol: serverTlsVersion });
const PLAIN = { tls: false };

beforeAll(async () => {
  assertCliBuilt();
  env = await startRestoreEnvironment({ withoutSsh: true, tlsForRls1: true });
  ref = (server) => `${env.installation}/${server}`;
  const version = await env.b.query<{ version: string | null }>('SELECT version FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
  serverTlsVersion = version.rows[0]!.version!;
  expect(serverTlsVersion).toMatch(/^TLSv1\.[23]$/);
}, 180_000);
afterAll(async () => env?.stop());

describe('which database connections are encrypted', () => {
  it('connection test: TLS with its version for rls1, not encrypted for the master', async () => {
    const json = await env.cli(['connection', 'test', env.installation, '--json']);
    expect(json.code).toBe(0);
    const results = JSON.parse(json.stdout).results as Array<{ server: string; report: { encryption: unknown } }>;
    const byServer = Object.fromEntries(results.map((r) => [r.server, r.report.encryption]));
    expect(byServer).toEqual({ [ref('mls')]: PLAIN, [ref('rls1')]: TLS(), [ref('rls2')]: PLAIN });

    const human = await env.cli(['connection', 'test', env.installation]);
    expect(human.stdout).toMatch(new RegExp(`^${ref('rls1')}: ok — PostgreSQL [^,]+, TLS \\(${serverTlsVersion}\\),`, 'm'));
    expect(human.stdout).toMatch(new RegExp(`^${ref('mls')}: ok — PostgreSQL [^,]+, not encrypted,`, 'm'));
  });

  it('topology: each probe carries it, and the human output says it', async () => {
    const json = await env.cli(['topology', env.installation, '--json']);
    expect(json.code).toBe(0);
    const [snapshot] = (JSON.parse(json.stdout) as TopologyDocument).installations;
    expect(Object.fromEntries(snapshot!.servers.map((s) => [s.name, s.database.encryption]))).toEqual({ mls: PLAIN, rls1: TLS(), rls2: PLAIN });

    const human = await env.cli(['topology', env.installation]);
    expect(human.stdout).toContain(`TLS (${serverTlsVersion})`);
    expect(human.stdout).toContain('not encrypted');
  });

  it('preflight warns where a password travels unencrypted, and only there, without blocking', async () => {
    const dryRun = await env.cli(['restore', env.installation, '--replica', 'rls1', '--dry-run', '--json']);
    expect(dryRun.code).toBe(0);
    const doc = JSON.parse(dryRun.stdout) as { ok: boolean; preflight: Array<{ check: string; server: string | null; ok: boolean; severity: string; message: string; hint?: string }> };
    expect(doc.ok).toBe(true);
    const warnings = doc.preflight.filter((f) => f.check === 'password-unencrypted');
    expect(warnings.map((f) => [f.server, f.ok, f.severity])).toEqual([[ref('mls'), false, 'warning']]);
    expect(warnings[0]!.message).toContain('not encrypted');
    expect(warnings[0]!.message).toContain('PGPASSFILE');
    expect(warnings[0]!.message).toContain('travel in plaintext');
    expect(warnings[0]!.hint).toContain('db.sslmode');
    expect(warnings[0]!.hint).toContain('verify-full');
    expect(doc.preflight.find((f) => f.check === 'database' && f.server === ref('rls1'))?.message).toContain(`TLS (${serverTlsVersion})`);
  });

  it('the run record keeps it for every database the run connected to; runs show says it', async () => {
    const run = await env.cli(['restore', env.installation, '--replica', 'rls1', '--yes', '--json']);
    if (run.code !== 0) console.error(run.stderr);
    expect(run.code).toBe(0);
    const record = JSON.parse(run.stdout);
    expect(record.status).toBe('succeeded');
    expect(record.connections).toEqual({ [ref('mls')]: PLAIN, [ref('rls1')]: TLS() });

    const shown = await env.cli(['runs', 'show', record.runId, '--json']);
    expect(JSON.parse(shown.stdout).connections).toEqual(record.connections);
    const human = await env.cli(['runs', 'show', record.runId]);
    expect(human.stdout).toContain(`database connection to ${ref('rls1')}: TLS (${serverTlsVersion})`);
    expect(human.stdout).toContain(`database connection to ${ref('mls')}: not encrypted`);
  }, 180_000);
});
