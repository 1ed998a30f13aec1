// How the topology view reads a probe: the edge labels, the node tones and the words a
// screen reader hears, and when a picture counts as "last known".
import { describe, expect, it } from 'vitest';
import type { ServerProbe, TopologyFlag, TopologySnapshot } from '../../../src/shared/topology';
import { serverProbe } from '../../fixtures/serverProbe';
import { isStale, STALE_AFTER_MS, timeAgo } from '../../../src/renderer/src/topology/probeTime';
import { groupDigits, lagLabel, routeText, serverStatus, snapshotTone } from '../../../src/renderer/src/topology/serverStatus';

const probe = serverProbe;

const snapshot = (servers: ServerProbe[], flags: TopologyFlag[] = []): TopologySnapshot => ({
  installation: 'inst',
  probedAt: '2026-11-23T10:00:00.000Z',
  timeoutMs: 5000,
  elapsedMs: 40,
  servers,
  flags,
});

describe('lag labels', () => {
  it('says lag, ahead or unknown, with 64-bit values intact', () => {
    expect(lagLabel({ lag: '7' })).toEqual({ kind: 'behind', text: 'lag 7', tone: 'warning' });
    expect(lagLabel({ lag: '-3' })).toEqual({ kind: 'ahead', text: 'ahead 3', tone: 'error' });
    expect(lagLabel({ lag: '0' })).toMatchObject({ kind: 'in-sync', text: 'lag 0', tone: 'ok' });
    expect(lagLabel({ lag: null })).toMatchObject({ kind: 'unknown', text: 'unknown' });
    expect(groupDigits('9007199254740993')).toBe('9,007,199,254,740,993');
    expect(lagLabel({ lag: '9007199254740993' }).text).toBe('lag 9,007,199,254,740,993');
  });
});

describe('server status', () => {
  it('is an error when unreachable or flagged as one, a warning when lagging or stopped', () => {
    const down = probe('rls1', { lag: null }, { reachable: false });
    expect(serverStatus(snapshot([down]), down)).toMatchObject({ tone: 'error', summary: 'unreachable · running' });

    const lagging = probe('rls1', { lag: '7' });
    expect(serverStatus(snapshot([lagging]), lagging)).toMatchObject({ tone: 'warning', spoken: 'rls1: replica, reachable, running, lagging, lag 7' });

    const stopped = probe('rls2', { process: { state: 'stopped', exitCode: 3, error: null, elapsedMs: 4 } });
    expect(serverStatus(snapshot([stopped]), stopped).tone).toBe('warning');

    const ahead: TopologyFlag = { code: 'replica-ahead-of-master', severity: 'error', servers: ['rls3'], message: 'ahead', hint: 'restore it' };
    const rls3 = probe('rls3', { lag: '-2' });
    expect(serverStatus(snapshot([rls3], [ahead]), rls3)).toMatchObject({ tone: 'error', spoken: 'rls3: replica, reachable, running, ahead 2, 1 flag' });

    const master = probe('mls', { lag: null, process: { state: 'not-configured', exitCode: null, error: null, elapsedMs: null } });
    expect(serverStatus(snapshot([master]), master)).toMatchObject({ tone: 'ok', summary: 'reachable', spoken: 'mls: master, reachable' });
  });

  it('shows a status command that was not run for want of approval, as a warning', () => {
    const rls1 = probe('rls1', { process: { state: 'not-approved', exitCode: null, error: null, elapsedMs: null } });
    expect(serverStatus(snapshot([rls1]), rls1)).toMatchObject({ tone: 'warning', summary: 'reachable · command not approved' });
  });

  it("gives an installation its worst server's tone", () => {
    expect(snapshotTone(snapshot([probe('mls'), probe('rls1', { lag: '0' })]))).toBe('ok');
    expect(snapshotTone(snapshot([probe('mls'), probe('rls1', { lag: '4' })]))).toBe('warning');
    expect(snapshotTone(snapshot([probe('mls', {}, { reachable: false }), probe('rls1', { lag: '4' })]))).toBe('error');
    expect(snapshotTone(snapshot([]))).toBe('unknown');
  });
});

describe('probe times', () => {
  const at = Date.parse('2026-11-23T10:00:00.000Z');
  it('marks a picture older than the stale limit as last known', () => {
    expect(isStale('2026-11-23T10:00:00.000Z', at + STALE_AFTER_MS)).toBe(false);
    expect(isStale('2026-11-23T10:00:00.000Z', at + STALE_AFTER_MS + 1)).toBe(true);
  });

  it('says how long ago', () => {
    expect(timeAgo('2026-11-23T10:00:00.000Z', at + 2_000)).toBe('just now');
    expect(timeAgo('2026-11-23T10:00:00.000Z', at + 42_000)).toBe('42 s ago');
    expect(timeAgo('2026-11-23T10:00:00.000Z', at + 14 * 60_000)).toBe('14 min ago');
    expect(timeAgo('2026-11-23T10:00:00.000Z', at + 5 * 3_600_000)).toBe('5 h ago');
    expect(timeAgo('2026-11-23T10:00:00.000Z', at + 3 * 86_400_000)).toBe('3 days ago');
  });
});

describe('a server reached through an SSH tunnel', () => {
  const route = { hops: [{ role: 'jump host 1', description: 'ssh a@bastion:22' }, { role: 'tunnel endpoint', description: 'ssh b@gw:22' }], target: 'db.internal:5432' };

  it('says "via SSH" in the words a screen reader hears, and nothing for a direct connection', () => {
    const rls1 = probe('rls1', { route });
    expect(routeText(rls1)).toBe('via SSH');
    expect(serverStatus(snapshot([probe('mls'), rls1]), rls1).spoken).toBe('rls1: replica, reachable, running, lag 0, via SSH');
    expect(routeText(probe('rls2'))).toBeNull();
  });

  it('says at which hop the route broke', () => {
    const routeBreak = { hopIndex: 1, hopCount: 2, code: 'host-key-mismatch', message: 'SSH hop 2 of 2 …', hint: 'pin it again' };
    const rls1 = probe('rls1', { route, routeBreak, lag: null }, { reachable: false, serverVersion: null });
    expect(routeText(rls1)).toBe('SSH broke at hop 2 of 2');
    expect(serverStatus(snapshot([probe('mls'), rls1]), rls1)).toMatchObject({ tone: 'error', spoken: 'rls1: replica, unreachable, running, lag unknown, SSH broke at hop 2 of 2' });
  });
});
