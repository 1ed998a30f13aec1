// What main's dialog shows before Remove sandbox: every process, cluster and directory that
// goes, the keychain entries and the installation, and that nothing else is touched.
import { describe, expect, it } from 'vitest';
import { sandboxDownPrompt } from '../../../src/main/ipc/sandboxDown';
import type { SandboxStatus } from '../../../src/shared/sandbox';

const status: SandboxStatus = {
  exists: true,
  installation: 'sandbox',
  dir: '/home/admin/.config/Replica Desk/sandbox',
  createdAt: '2026-12-02T13:00:00.000Z',
  sizeMb: 50,
  clusters: [
    { name: 'a', port: 54011, dataDir: '/home/admin/.config/Replica Desk/sandbox/cluster-a', running: true, version: 16 },
    { name: 'b', port: 54012, dataDir: '/home/admin/.config/Replica Desk/sandbox/cluster-b', running: false, version: 16 },
  ],
  servers: [
    { name: 'mls', role: 'master', layout: 'shared-database', database: 'cm', schema: 'cm_mls', cluster: 'a', running: true, builtStale: false },
    { name: 'rls1', role: 'replica', layout: 'database-per-server', database: 'cm_rls1', schema: 'cm_rls1', cluster: 'b', running: true, builtStale: true },
  ],
  problems: [],
};

describe('sandboxDownPrompt', () => {
  it('names everything that goes, and says nothing else is touched', () => {
    const prompt = sandboxDownPrompt(status);
    expect(prompt).toMatchObject({ title: 'Remove the sandbox', confirmLabel: 'Remove sandbox' });
    expect(prompt.message).toContain('"sandbox"');
    expect(prompt.detail.split('\n')).toEqual(
      expect.arrayContaining([
        'stand-in server mls (master, cm on cluster a): stopped',
        'stand-in server rls1 (replica, cm_rls1 on cluster b): stopped',
        'PostgreSQL cluster a (port 54011): stopped, /home/admin/.config/Replica Desk/sandbox/cluster-a deleted',
        'PostgreSQL cluster b (port 54012): stopped, /home/admin/.config/Replica Desk/sandbox/cluster-b deleted',
        'keychain entries of sandbox/*: deleted',
        'installation "sandbox" and its profiles: deleted',
        '/home/admin/.config/Replica Desk/sandbox: deleted',
      ]),
    );
    expect(prompt.detail).toContain('no other installation is touched');
    expect(prompt.detail).toContain('stay in the history');
  });

  it('leaves out the directory when none is recorded', () => {
    expect(sandboxDownPrompt({ ...status, dir: null }).detail).not.toContain('/home/admin/.config/Replica Desk/sandbox: deleted');
    expect(sandboxDownPrompt({ ...status, dir: null, clusters: [], servers: [] }).detail.split('\n\n')[0]!.split('\n')).toHaveLength(2);
  });
});
