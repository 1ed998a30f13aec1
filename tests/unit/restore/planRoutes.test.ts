// The restore plan names the SSH route of every tunnelled database (the plan's `routes`, and
// each SQL and tool step's `where`), the swap keeps it once the run id is known, and a hop
// refused for its host key says where its pin goes in the profiles@1 file (the server's place
// and the hop's own field).
import { describe, expect, it } from 'vitest';
import { planRestore, withRunId } from '../../../src/main/core/restore/planRestore';
import { planRollback } from '../../../src/main/core/restore/planRollback';
import { dbRoutesOf, planRoutes, serverPathOf } from '../../../src/main/core/restore/runTunnels';
import { InstallationSchema } from '../../../src/shared/profiles';

const env = { USER: 'admin' };
const installation = InstallationSchema.parse({
  name: 'prod-eu',
  servers: [
    {
      name: 'mls',
      role: 'master',
      db: { host: 'db.internal', database: 'coremedia', user: 'cm_master', tunnel: { via: 'ssh', hostname: 'gw', user: 'tunnel', jumpHosts: [{ hostname: 'bastion', port: 2222, user: 'a' }] } },
    },
    { name: 'rls1', role: 'replica', db: { host: 'db1', port: 5433, database: 'cm_rls1', user: 'cm_rls1', tunnel: { via: 'host' } }, host: { access: 'ssh', hostname: 'rls1', user: 'cm', jumpHosts: [{ hostname: 'bastion', user: 'b' }] } },
    { name: 'rls2', role: 'replica', db: { host: 'db2', database: 'cm_rls2', user: 'cm_rls2' } },
  ],
});

describe('plan routes', () => {
  it('names each tunnelled database\'s route in the plan and in the steps that use it', async () => {
    const { routes, failures } = await dbRoutesOf(installation.servers, env);
    expect(failures.size).toBe(0);
    expect([...routes.keys()]).toEqual(['mls', 'rls1']);
    const plan = planRestore(installation, { replicas: [], backupDir: '/b', mode: 'side-by-side', routes: planRoutes(installation, routes) });
    expect(plan.routes).toEqual({
      'prod-eu/mls': {
        hops: [
          { role: 'jump host 1', description: 'ssh a@bastion:2222' },
          { role: 'tunnel endpoint', description: 'ssh tunnel@gw:22' },
        ],
        target: 'db.internal:5432',
      },
      'prod-eu/rls1': {
        hops: [
          { role: 'jump host 1', description: 'ssh b@bastion:22' },
          { role: 'server host', description: 'ssh cm@rls1:22' },
        ],
        target: 'db1:5433',
      },
    });
    const rls1Via = 'db1:5433/cm_rls1 as cm_rls1 via ssh b@bastion:22 → ssh cm@rls1:22 → db1:5433, local forward 127.0.0.1:<ephemeral>';
    const shadow = plan.steps.find((s) => s.id === 'restore-shadow' && s.replica === 'rls1')!;
    expect(shadow.actions.map((a) => a.where)).toEqual([rls1Via, rls1Via, rls1Via]);
    expect(plan.steps.find((s) => s.id === 'stop-replica' && s.replica === 'rls1')!.actions.find((a) => a.kind === 'sql')!.where).toBe(rls1Via);
    // A direct database stays as it was.
    expect(plan.steps.find((s) => s.id === 'restore-shadow' && s.replica === 'rls2')!.actions[0]!.where).toBe('db2:5432/cm_rls2 as cm_rls2');
    expect(plan.steps.find((s) => s.id === 'dump-master')!.actions[0]!.text).toContain('# via ssh a@bastion:2222 → ssh tunnel@gw:22 → db.internal:5432, local forward 127.0.0.1:<ephemeral>');
    // The run's id names the kept schema; the swap still names the route.
    const swap = withRunId(plan, '0123456789abcdef').steps.find((s) => s.id === 'swap' && s.replica === 'rls1')!;
    expect(swap.actions.every((a) => a.where === rls1Via)).toBe(true);
    // Nothing of a forward's port is in the plan.
    expect(JSON.stringify(plan)).not.toMatch(/connectTo|127\.0\.0\.1:\d/);
  });

  it('a rollback\'s plan names the routes of its replicas\' databases too, in every database step', async () => {
    const { routes } = await dbRoutesOf(installation.servers, env);
    const plan = planRollback({ installation, runId: '0123456789abcdef', replicas: ['rls1', 'rls2'], backup: { mode: 'dump', dir: '/b' }, routes: planRoutes(installation, routes) });
    expect(Object.keys(plan.routes ?? {})).toEqual(['prod-eu/mls', 'prod-eu/rls1']);
    const rls1Via = 'db1:5433/cm_rls1 as cm_rls1 via ssh b@bastion:22 → ssh cm@rls1:22 → db1:5433, local forward 127.0.0.1:<ephemeral>';
    const sqlWhere = (replica: string) => plan.steps.filter((s) => s.replica === replica).flatMap((s) => s.actions.filter((a) => a.kind === 'sql').map((a) => a.where));
    expect(new Set(sqlWhere('rls1'))).toEqual(new Set([rls1Via]));
    expect(sqlWhere('rls1').length).toBeGreaterThan(3);
    expect(new Set(sqlWhere('rls2'))).toEqual(new Set(['db2:5432/cm_rls2 as cm_rls2']));
    expect(planRollback({ installation, runId: '0123456789abcdef', replicas: ['rls2'], backup: { mode: 'dump', dir: '/b' } }).routes).toBeUndefined();
  });

  it('a plan without tunnels has no routes', async () => {
    const direct = InstallationSchema.parse({ name: 'x', servers: [installation.servers[2]!, { ...installation.servers[2]!, name: 'mls', role: 'master' }] });
    const { routes } = await dbRoutesOf(direct.servers, env);
    expect(planRestore(direct, { replicas: [], backupDir: '/b', routes: planRoutes(direct, routes) }).routes).toBeUndefined();
  });

  it('says where each server sits in the profile, and each hop where its key is pinned', async () => {
    expect(serverPathOf(installation, installation.servers[1]!)).toBe('installation "prod-eu" → servers[1] ("rls1")');
    const { routes } = await dbRoutesOf(installation.servers, env);
    expect(routes.get('mls')!.hops.map((h) => h.profilePath)).toEqual(['db.tunnel.jumpHosts[0]', 'db.tunnel']);
    expect(routes.get('rls1')!.hops.map((h) => h.profilePath)).toEqual(['host.jumpHosts[0]', 'host']);
  });
});
