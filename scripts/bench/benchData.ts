// The benchmarks' installation data: two throwaway clusters, a generated publication master
// (its own database on A) and a stale live replica (its own database on B), their passwords in
// a private pgpass file, and the environment the tools and the CLI run with (no keychain: the
// CLI falls back to PGPASSFILE, as documented). Shared by bench:restore and bench:tunnel.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createContentServer, type ContentServerOptions } from '../../tests/harness/coremedia/contentServerDatabase';
import { startCluster, type PgCluster } from '../../tests/harness/postgresCluster';
import { log, mb, untilAborted } from './benchProcess';

export interface BenchData {
  /** A private directory for the benchmark's files; removed by close(). */
  dir: string;
  /** The master's cluster (database and role cm_master). */
  a: PgCluster;
  /** The replica's cluster (database and role cm_rls1). */
  b: PgCluster;
  pgpass: string;
  env: NodeJS.ProcessEnv;
  /** The master schema's size on disk. */
  schemaMb: number;
  /** Stops both clusters and removes `dir`. */
  close(): Promise<void>;
}

async function schemaBytes(cluster: PgCluster, database: string, schema: string): Promise<number> {
  const r = await cluster.query<{ b: string }>(
    `SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::text AS b FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'm')`,
    [schema],
    database,
  );
  return Number(r.rows[0]!.b);
}

export async function startBenchData(sizeMb: number, shape: NonNullable<ContentServerOptions['shape']>, signal: AbortSignal, dirPrefix = 'rd-bench-'): Promise<BenchData> {
  const dir = mkdtempSync(join(tmpdir(), dirPrefix));
  const clusters: PgCluster[] = [];
  const close = async (): Promise<void> => {
    await Promise.allSettled(clusters.map((c) => c.stop()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    // Not cut short by the signal: a cluster still starting when we gave up would be left behind.
    // startCluster bounds itself (pg_ctl -t 60).
    const started = await Promise.allSettled([startCluster(), startCluster()]);
    for (const s of started) if (s.status === 'fulfilled') clusters.push(s.value);
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) throw failed.reason;
    if (signal.aborted) throw signal.reason;
    const [a, b] = clusters as [PgCluster, PgCluster];
    const password = `Pw-${randomBytes(9).toString('base64url')}`;

    log(`${sizeMb} MB, ${shape} shape: generating the master (publication) and a stale replica`);
    await untilAborted(
      (async () => {
        await createContentServer(a, { layout: 'database-per-server', database: 'cm_master', role: 'cm_master', password, serverType: 'publication', sizeMb, shape });
        await createContentServer(b, { layout: 'database-per-server', database: 'cm_rls1', role: 'cm_rls1', password, serverType: 'live', changelogEntries: 10 });
      })(),
      signal,
    );
    const schemaMb = mb(await schemaBytes(a, 'cm_master', 'cm_master'));

    const pgpass = join(dir, 'pgpass');
    writeFileSync(
      pgpass,
      [`127.0.0.1:${a.port}:*:cm_master:${password}`, `127.0.0.1:${b.port}:*:cm_rls1:${password}`, `127.0.0.1:${b.port}:*:postgres:${b.superPassword}`, ''].join('\n'),
      { mode: 0o600 },
    );
    // No DISPLAY/bus: the keychain then fails fast and the CLI falls back to PGPASSFILE, as documented.
    const { DISPLAY: _display, DBUS_SESSION_BUS_ADDRESS: _bus, NODE_OPTIONS: _nodeOptions, ...baseEnv } = process.env;
    return { dir, a, b, pgpass, env: { ...baseEnv, PGPASSFILE: pgpass }, schemaMb, close };
  } catch (error) {
    await close();
    throw error;
  }
}
