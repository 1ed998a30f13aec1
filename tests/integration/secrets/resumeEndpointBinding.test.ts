// A run that resumes after rls1's endpoint changed goes on against the endpoints of its plan,
// and the stored password goes only where it is bound: re-entered for rls1's new address, it
// is not sent to the old one (the run is refused); confirmed for the old address again, the
// run finishes there, and nothing ever reaches the new address. Passwords come only from
// the real keychain here: the CLI gets no pgpass file.
// Run inside a Secret Service: bash scripts/with-keyring.sh npx vitest run --project integration tests/integration/secrets/resumeEndpointBinding.test.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeytarSecretStore } from '../../../src/main/core/secrets/keytarSecretStore';
import { accountFor } from '../../../src/main/core/secrets/secretStore';
import { assertCliBuilt, runCli } from '../../harness/cli';
import { startRestoreEnvironment, type RestoreEnvironment } from '../../harness/restoreEnvironment';
import { startTcpProxy, type TcpProxy } from '../../harness/tcpProxy';
import { startRestore, stepOf, waitForStep } from '../faults/faultRun';

describe('resuming a run after the replica was pointed elsewhere', () => {
  let env: RestoreEnvironment;
  let proxy: TcpProxy;
  let keychainOnly: NodeJS.ProcessEnv;

  beforeAll(async () => {
    assertCliBuilt();
    env = await startRestoreEnvironment({ withoutSsh: true });
    keychainOnly = { PGPASSFILE: join(env.dir, 'no-pgpass') };
    for (const server of ['mls', 'rls1', 'rls2']) {
      const set = await runCli(['secrets', 'set', `${env.installation}/${server}`, 'db'], { home: env.home, stdin: env.password, env: { ...env.env, ...keychainOnly } });
      expect(set.code, set.stderr).toBe(0);
    }
    proxy = await startTcpProxy({ host: env.b.host, port: env.b.port });
  }, 180_000);

  afterAll(async () => {
    const keychain = new KeytarSecretStore();
    for (const server of ['mls', 'rls1', 'rls2']) await keychain.delete(accountFor({ installation: env.installation, server }, 'db')).catch(() => false);
    await proxy?.close();
    await env?.stop();
  });

  it('sends the password only where it is bound, and finishes against its plan once it is bound there', async () => {
    const run = startRestore(env, ['--replica', 'rls1'], { extraEnv: keychainOnly });
    const runId = await waitForStep(env, 'dump-master');
    run.child.kill('SIGKILL');
    await run.done;

    // The admin points rls1 at another address (here: a proxy to the same cluster) and
    // re-enters its password there.
    const original = readFileSync(join(env.dir, 'profiles.json'), 'utf8');
    const profile = JSON.parse(original);
    profile.installations[0].servers.find((s: { name: string }) => s.name === 'rls1').db.port = proxy.port;
    const moved = join(env.dir, 'profiles-moved.json');
    writeFileSync(moved, JSON.stringify(profile));
    expect((await env.cli(['profiles', 'import', moved, '--replace'])).code).toBe(0);
    const reentered = await runCli(['secrets', 'set', `${env.installation}/rls1`, 'db'], { home: env.home, stdin: env.password, env: { ...env.env, ...keychainOnly } });
    expect(reentered.code, reentered.stderr).toBe(0);

    // The run's plan still has the old address: the password, bound to the new one, is not sent there.
    const refused = await env.cli(['runs', 'resume', runId, '--yes', '--json'], keychainOnly);
    expect(refused.code).toBe(1);
    const failed = JSON.parse(refused.stdout);
    expect(JSON.stringify(failed)).toContain(
      `The stored database password for ${env.installation}/rls1 was entered for cm_rls1@127.0.0.1:${proxy.port}/cm_rls1; the profile now points at cm_rls1@127.0.0.1:${env.b.port}/cm_rls1`,
    );
    // The default mode (side-by-side here): nothing was swapped in.
    expect(failed.mode).toBe('side-by-side');
    expect(stepOf(failed, 'swap', 'rls1').status).toBe('pending');

    // Pointed back and confirmed for the old address, the run finishes where it started.
    const back = join(env.dir, 'profiles-back.json');
    writeFileSync(back, original);
    expect((await env.cli(['profiles', 'import', back, '--replace'])).code).toBe(0);
    const confirmed = await env.cli(['secrets', 'confirm', `${env.installation}/rls1`, 'db', '--yes'], keychainOnly);
    expect(confirmed.code, confirmed.stderr).toBe(0);
    const resumed = await env.cli(['runs', 'resume', runId, '--yes', '--json'], keychainOnly);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout).status).toBe('succeeded');
    expect(proxy.bytes.toServer).toBe(0);
  }, 300_000);
});
