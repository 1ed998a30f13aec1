// The topology cache in a real SQLite file: one snapshot per installation, the newest wins,
// and it is still there after the store is closed and opened again.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../../src/main/core/store/database';
import { TopologyCache } from '../../../src/main/core/topology/topologyCache';
import type { TopologySnapshot } from '../../../src/shared/topology';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
const storeFile = () => {
  const dir = mkdtempSync(join(tmpdir(), 'rd-topology-cache-'));
  dirs.push(dir);
  return join(dir, 'replica-desk.sqlite');
};

const snapshot = (installation: string, probedAt: string, lag = '5'): TopologySnapshot => ({
  installation,
  probedAt,
  timeoutMs: 5000,
  elapsedMs: 12,
  servers: [
    {
      name: 'rls1',
      ref: `${installation}/rls1`,
      role: 'replica',
      connection: { host: '127.0.0.1', port: 5432, database: 'cm', user: 'cm_rls1', schema: 'cm_rls1', sslmode: 'disable' },
      database: {
        reachable: true,
        error: null,
        serverVersion: '15.4',
        serverVersionNum: 150004,
        cluster: { systemIdentifier: '7301234567890123456', database: 'cm' },
        serverType: 'live',
        serverTypeRows: ['live'],
        replicator: { remote: ['9007199254740993'], local: ['9007199254740993'], tag: ['t'] },
        changelogHead: null,
        elapsedMs: 4,
      },
      process: { state: 'running', exitCode: 0, error: null, elapsedMs: 8 },
      position: '9007199254740993',
      lag,
      lastRestore: null,
      elapsedMs: 9,
    },
  ],
  flags: [],
});

describe('TopologyCache', () => {
  it('keeps the newest snapshot per installation across reopening the store', () => {
    const file = storeFile();
    const first = openStore(file);
    const cache = new TopologyCache(first.db);
    expect(cache.get('prod')).toBeNull();
    cache.put(snapshot('prod', '2026-11-23T10:00:00.000Z', '5'));
    cache.put(snapshot('prod', '2026-11-23T10:01:00.000Z', '7'));
    // A probe that started earlier but finished later must not replace the newer picture.
    cache.put(snapshot('prod', '2026-11-23T09:59:00.000Z', '1'));
    cache.put(snapshot('test', '2026-11-23T10:00:30.000Z'));
    first.close();

    const second = openStore(file);
    const reopened = new TopologyCache(second.db);
    expect(reopened.get('PROD')).toEqual(snapshot('prod', '2026-11-23T10:01:00.000Z', '7'));
    expect(reopened.list().map((s) => s.installation)).toEqual(['prod', 'test']);
    expect(reopened.delete('test')).toBe(true);
    expect(reopened.get('test')).toBeNull();
    second.close();
  });
});
