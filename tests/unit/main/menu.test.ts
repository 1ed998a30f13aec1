import { describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('../../mocks/electron'));

const { applicationMenuTemplate } = await import('../../../src/main/menu');

const labels = (template: ReturnType<typeof applicationMenuTemplate>) => template.map((m) => m.label ?? m.role);
const roles = (template: ReturnType<typeof applicationMenuTemplate>, label: string) => {
  const submenu = template.find((m) => m.label === label)?.submenu;
  return Array.isArray(submenu) ? submenu.map((i) => i.role).filter(Boolean) : [];
};

describe('the application menu', () => {
  it('has File, Edit, View, Window and Help, and the app menu first on macOS', () => {
    expect(labels(applicationMenuTemplate({ appName: 'Replica Desk', platform: 'linux', isPackaged: true }))).toEqual([
      'File', 'Edit', 'View', 'Window', 'help',
    ]);
    expect(labels(applicationMenuTemplate({ appName: 'Replica Desk', platform: 'darwin', isPackaged: true }))).toEqual([
      'Replica Desk', 'File', 'Edit', 'View', 'Window', 'help',
    ]);
  });

  it('offers reload and developer tools only when running from source', () => {
    const packaged = applicationMenuTemplate({ appName: 'Replica Desk', platform: 'linux', isPackaged: true });
    const fromSource = applicationMenuTemplate({ appName: 'Replica Desk', platform: 'linux', isPackaged: false });
    expect(roles(packaged, 'View')).not.toContain('toggleDevTools');
    expect(roles(packaged, 'View')).not.toContain('reload');
    expect(roles(fromSource, 'View')).toEqual(expect.arrayContaining(['reload', 'toggleDevTools']));
  });

  it('keeps the standard editing roles, so copy and paste work in forms', () => {
    expect(roles(applicationMenuTemplate({ appName: 'Replica Desk', platform: 'win32', isPackaged: true }), 'Edit')).toEqual(
      expect.arrayContaining(['undo', 'redo', 'cut', 'copy', 'paste', 'selectAll']),
    );
  });
});
