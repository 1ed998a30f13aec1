// `npm run demo`'s own logic (scripts/demo.mjs): the topology table it prints before and after
// the restore, and when it turns to a throwaway keyring. The demo end to end, against the real
// sandbox, is tests/integration/sandbox/demo.test.ts.
import { describe, expect, it } from 'vitest';
import type { ServerProbe, TopologyDocument } from '../../../src/shared/topology';
import { serverProbe } from '../../fixtures/serverProbe';
import { canMakeThrowawayKeyring, cliErrorOf, formatTopology, isMissingSecretService, isRestoreHeadline } from '../../../scripts/demo.mjs';

/** A server of the sandbox as `topology --json` reports it: rls1 on cluster b, the others on cluster a. */
function probe(name: string, role: 'master' | 'replica', database: string, position: string | null, lag: string | null): ServerProbe {
  const type = role === 'master' ? 'publication' : 'live';
  return serverProbe(
    name,
    { ref: `sandbox/${name}`, role, position, lag, connection: { host: '127.0.0.1', port: database === 'cm_rls1' ? 5502 : 5501, database, user: `cm_${name}`, schema: `cm_${name}`, sslmode: 'disable' } },
    {
      serverType: type,
      serverTypeRows: [type],
      replicator: { remote: position ? [position] : [], local: [], tag: [] },
      changelogHead: role === 'master' ? { sequenceNo: '9007199254741000', idTag: 'x', lastNonLocal: null, newestIsLocal: false } : null,
    },
  );
}

const snapshot = (servers: ServerProbe[]): TopologyDocument => ({
  installations: [{ installation: 'sandbox', probedAt: '2026-12-02T13:00:00Z', timeoutMs: 5000, elapsedMs: 10, servers, flags: [] }],
});

describe('the demo\'s topology table', () => {
  it('flags the lagging replica with how far behind it is, and tells the layouts apart', () => {
    const table = formatTopology(
      snapshot([
        probe('mls', 'master', 'coremedia', null, null),
        probe('rls1', 'replica', 'cm_rls1', '9007199254740000', '1000'),
        probe('rls2', 'replica', 'coremedia', '9007199254741000', '0'),
      ]),
    );
    expect(table.lagging).toEqual(['rls1']);
    const line = (name: string) => table.text.split('\n').find((l) => l.trimStart().startsWith(`${name} `))!;
    expect(line('mls')).toContain('head 9007199254741000');
    expect(line('rls1')).toMatch(/replica \(own db\).*9007199254740000 +1000 +running +◀ LAGGING: 1000 changes behind the master/);
    expect(line('rls2')).toMatch(/replica \(shared db\).*running +✓ up to date/);
  });

  it('after the restore: no replica flagged', () => {
    const table = formatTopology(snapshot([probe('mls', 'master', 'coremedia', null, null), probe('rls1', 'replica', 'cm_rls1', '9007199254741000', '0')]));
    expect(table.lagging).toEqual([]);
    expect(table.replicas.map((r) => r.lag)).toEqual(['0']);
    expect(table.text).not.toContain('LAGGING');
  });

  it('says so when the topology has no sandbox installation', () => {
    expect(() => formatTopology({ installations: [] })).toThrow(/no installation "sandbox"/);
  });
});

describe('when the demo makes a throwaway keyring', () => {
  it('reads the CLI\'s --json error document, and nothing else', () => {
    expect(cliErrorOf('{"ok":false,"error":{"code":"keychain-unavailable","message":"m","hint":"h"}}')).toEqual({ code: 'keychain-unavailable', message: 'm', hint: 'h' });
    expect(cliErrorOf('{"exists":true}')).toBeNull();
    expect(cliErrorOf('not json')).toBeNull();
  });

  it('for a keychain no Secret Service answers, never for a locked one or another failure', () => {
    expect(isMissingSecretService({ code: 'keychain-unavailable', message: 'The OS keychain is unavailable: Cannot autolaunch D-Bus without X11 $DISPLAY', hint: 'start a Secret Service' })).toBe(true);
    const refused = (inner: string) => ({ code: 'sandbox-keychain', message: `The sandbox keeps its servers' passwords in the OS keychain, and the keychain cannot be used: ${inner} Nothing was created.`, hint: 'Start a Secret Service' });
    expect(isMissingSecretService(refused('The OS keychain is unavailable: Cannot autolaunch D-Bus without X11 $DISPLAY'))).toBe(true);
    expect(isMissingSecretService(refused('The OS keychain is unavailable: The name org.freedesktop.secrets was not provided by any .service files'))).toBe(true);
    expect(isMissingSecretService(refused('The OS keychain is locked: Cannot create an item in a locked collection'))).toBe(false);
    expect(isMissingSecretService({ code: 'keychain-locked', message: 'The OS keychain is locked', hint: 'unlock it' })).toBe(false);
    expect(isMissingSecretService({ code: 'sandbox-programs-missing', message: 'initdb was not found', hint: 'apt-get install postgresql' })).toBe(false);
    expect(isMissingSecretService(null)).toBe(false);
  });

  it('only on Linux, and only with dbus-run-session and gnome-keyring-daemon', () => {
    expect(canMakeThrowawayKeyring('linux', () => true)).toBe(true);
    expect(canMakeThrowawayKeyring('linux', (name) => name !== 'gnome-keyring-daemon')).toBe(false);
    expect(canMakeThrowawayKeyring('darwin', () => true)).toBe(false);
  });
});

it('shows the restore\'s mode, finished steps and preflight errors, not its plan or warnings', () => {
  expect(isRestoreHeadline('[ 3/14] done (1.2 s): Backed up cm_master')).toBe(true);
  expect(isRestoreHeadline('[ 3/14] failed (0.2 s): cannot connect')).toBe(true);
  expect(isRestoreHeadline('[ 3/14] Back up the master schema cm_master with pg_dump …')).toBe(false);
  expect(isRestoreHeadline('Mode: side-by-side')).toBe(true);
  expect(isRestoreHeadline('  ✗ sandbox/rls1: cannot connect')).toBe(true);
  expect(isRestoreHeadline('  ! sandbox/rls1: The connection is not encrypted')).toBe(false);
  expect(isRestoreHeadline('   4. Restore into cm_rls1__rd_new')).toBe(false);
  expect(isRestoreHeadline('  ✓ sandbox/rls1: connects')).toBe(false);
});
