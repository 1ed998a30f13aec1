// The replica's address now leads to another cluster (a DNS name moved, a port was reused,
// a failover pointed it elsewhere) between the preflight and a resume. The run compares every
// connection it acts through with the cluster identity the preflight recorded, so it refuses
// instead of dropping a schema on the wrong cluster.
import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertCliBuilt } from '../../harness/cli';
import { createContentServer } from '../../harness/coremedia/contentServerDatabase';
import { schemaFingerprint, startRestoreEnvironment, type RestoreEnvironment } from '../../harness/restoreEnvironment';
import { startRestore, stepOf, waitForStep } from './faultRun';

/** A loopback forwarder on a fixed port, so the same address can be made to lead elsewhere. */
function forward(listenPort: number, targetPort: number): Promise<{ close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(listenPort, '127.0.0.1', () =>
      resolve({
        close: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      }),
    );
  });
}

describe('a replica address that leads to another cluster on resume', () => {
  let env: RestoreEnvironment;
  beforeAll(async () => {
    assertCliBuilt();
    env = await startRestoreEnvironment({ withoutSsh: true, proxyRls1: true, master: { sizeMb: 100 } });
  }, 180_000);
  afterAll(async () => env?.stop());

  it('refuses to touch the schema there, and says why', async () => {
    // An impostor: a database and role of the same names on cluster a.
    await createContentServer(env.a, { layout: 'database-per-server', database: 'cm_rls1', role: 'cm_rls1', password: env.password, serverType: 'live', sizeMb: 1 });
    await env.a.query('GRANT CREATE ON DATABASE cm_rls1 TO cm_rls1');
    const impostorBefore = await schemaFingerprint(env.a, 'cm_rls1', 'cm_rls1');

    const run = startRestore(env, ['--replica', 'rls1']);
    const runId = await waitForStep(env, 'dump-master');
    run.child.kill('SIGKILL');
    await run.done;

    // The profile's address for rls1 (the proxy's port) now leads to cluster a.
    const port = env.rls1Proxy!.port;
    await env.rls1Proxy!.close();
    const moved = await forward(port, env.a.port);
    try {
      const resumed = await env.cli(['runs', 'resume', runId, '--yes', '--json']);
      expect(resumed.code).toBe(1);
      const record = JSON.parse(resumed.stdout);
      expect(record.replicas[0].status).toBe('failed');
      expect(record.replicas[0].message).toMatch(/checked as database "cm_rls1" of cluster \d+/);
      // The default mode: nothing restored, swapped or created there.
      expect(record.mode).toBe('side-by-side');
      expect(stepOf(record, 'restore-shadow', 'rls1').status).not.toBe('done');
      expect(stepOf(record, 'swap', 'rls1').status).toBe('pending');
      expect(await schemaFingerprint(env.a, 'cm_rls1', 'cm_rls1')).toBe(impostorBefore);
      expect((await env.a.query(`SELECT nspname FROM pg_namespace WHERE nspname LIKE 'cm\\_rls1\\_\\_rd\\_%'`, [], 'cm_rls1')).rows).toEqual([]);
    } finally {
      await moved.close();
    }
  }, 240_000);
});
