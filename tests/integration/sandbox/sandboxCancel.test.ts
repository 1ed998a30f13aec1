// Cancelling `sandbox up` while the master is generated: the build throws CancelledError at
// once, the manifest on disk lists the clusters it made, the half-made master is not taken
// for a complete one, the next build finishes it, and teardown removes everything.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { CancelledError } from '../../../src/main/core/cancellation';
import { clusterAccess } from '../../../src/main/core/sandbox/sandboxCluster';
import { SANDBOX_SERVERS, serverDatabaseComplete } from '../../../src/main/core/sandbox/sandboxData';
import { buildSandbox, inspectSandbox, readManifestFile, teardownSandbox } from '../../../src/main/core/sandbox/sandboxMachine';
import { processesMentioning } from '../../harness/processes';

const parent = mkdtempSync(join(tmpdir(), 'rd-sandbox-cancel-'));
const dir = join(parent, 'sandbox');

afterAll(async () => {
  const left = readManifestFile(dir);
  if (left) await teardownSandbox(left, () => undefined).catch(() => undefined);
  rmSync(parent, { recursive: true, force: true });
});

it('a build cancelled during the master\'s generation leaves a manifest that the next build completes and teardown removes', async () => {
  const controller = new AbortController();
  const phases: string[] = [];
  const cancelled = await buildSandbox({
    dir,
    sizeMb: 24,
    existing: null,
    signal: controller.signal,
    onManifest: () => undefined,
    onProgress: (p) => {
      phases.push(p.phase);
      if (p.phase === 'master' && (p.doneMb ?? 0) > 0) controller.abort();
    },
  }).then(
    () => null,
    (e: unknown) => e,
  );
  expect(cancelled).toBeInstanceOf(CancelledError);
  expect(phases).not.toContain('replicas');

  const manifest = readManifestFile(dir)!;
  expect(manifest.clusters.map((c) => c.name)).toEqual(['a', 'b']);
  expect(manifest.servers).toEqual([]);
  const a = manifest.clusters.find((c) => c.name === 'a')!;
  expect(await serverDatabaseComplete(clusterAccess(a), SANDBOX_SERVERS.find((s) => s.name === 'mls')!)).toBe(false);

  const resumed = await buildSandbox({ dir, sizeMb: 24, existing: manifest, onManifest: () => undefined, onProgress: () => undefined });
  expect(resumed.manifest.clusters.map((c) => c.port)).toEqual(manifest.clusters.map((c) => c.port));
  expect(await serverDatabaseComplete(clusterAccess(a), SANDBOX_SERVERS.find((s) => s.name === 'mls')!)).toBe(true);
  expect((await inspectSandbox(resumed.manifest)).problems).toEqual([]);

  await teardownSandbox(resumed.manifest, () => undefined);
  for (const c of resumed.manifest.clusters) expect(processesMentioning(c.dataDir)).toEqual([]);
  // The sandbox made its directory, so it goes too.
  expect(existsSync(dir)).toBe(false);
}, 120_000);
