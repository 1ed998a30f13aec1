// A run that resumes after rls1's endpoint changed is refused the same way as any other use
// of the stored password: with the password bound to where rls1 was, and with it re-entered
// for where rls1 is now (the run's plan still has the old endpoint). Passwords come only
// from the real keychain here: the CLI gets no pgpass file.
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

  it('is refused while the password is bound to the old endpoint, and when it was re-entered for the new one', async () => {
    const run = startRestore(env, ['--replica', 'rls1'], { extraEnv: keychainOnly });
    const runId = await waitForStep(env, 'dump-master');
    run.child.kill('SIGKILL');
    await run.done;

    // The admin points rls1 at another address (here: a proxy to the same cluster).
    const profile = JSON.parse(readFileSync(join(env.dir, 'profiles.json'), 'utf8'));
    profile.installations[0].servers.find((s: { name: string }) => s.name === 'rls1').db.port = proxy.port;
    const moved = join(env.dir, 'profiles-moved.json');
    writeFileSync(moved, JSON.stringify(profile));
    expect((await env.cli(['profiles', 'import', moved, '--replace'])).code).toBe(0);

    const refused = await env.cli(['runs', 'resume', runId, '--yes', '--json'], keychainOnly);
    expect(refused.code).toBe(1);
    const error = JSON.parse(refused.stdout).error;
    expect(error.code).toBe('secret-endpoint-changed');
    expect(error.message).toContain(`was entered for cm_rls1@127.0.0.1:${env.b.port}/cm_rls1; the profile now points at cm_rls1@127.0.0.1:${proxy.port}/cm_rls1`);
    // Refused before the run was taken over: it is still resumable, and nothing was sent to the new address.
    expect(proxy.bytes.toServer).toBe(0);

    // Re-entered for the new address: the run's plan still says the old one, so the password is not sent there either.
    const reentered = await runCli(['secrets', 'set', `${env.installation}/rls1`, 'db'], { home: env.home, stdin: env.password, env: { ...env.env, ...keychainOnly } });
    expect(reentered.code, reentered.stderr).toBe(0);
    const resumed = await env.cli(['runs', 'resume', runId, '--yes', '--json'], keychainOnly);
    expect(resumed.code).toBe(1);
    const record = JSON.parse(resumed.stdout);
    expect(JSON.stringify(record)).toContain(`The stored database password for ${env.installation}/rls1 was entered for cm_rls1@127.0.0.1:${proxy.port}/cm_rls1`);
    expect(stepOf(record, 'drop-schema', 'rls1').status).toBe('pending');
  }, 300_000);
});
