import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PRODUCT_NAME, resolveDataDir } from '../../../src/main/core/dataDir';
import pkg from '../../../package.json';

describe('resolveDataDir', () => {
  it('uses the product name Electron uses for app.getPath("userData")', () => {
    expect(PRODUCT_NAME).toBe(pkg.productName);
  });

  it('follows Electron: XDG_CONFIG_HOME or ~/.config on Linux', () => {
    expect(resolveDataDir({}, 'linux', '/home/ada')).toBe(join('/home/ada/.config', 'Replica Desk'));
    expect(resolveDataDir({ XDG_CONFIG_HOME: '/cfg' }, 'linux', '/home/ada')).toBe(join('/cfg', 'Replica Desk'));
  });

  it('follows Electron on macOS and Windows', () => {
    expect(resolveDataDir({}, 'darwin', '/Users/ada')).toBe(join('/Users/ada/Library/Application Support', 'Replica Desk'));
    expect(resolveDataDir({ APPDATA: 'C:\\Users\\ada\\AppData\\Roaming' }, 'win32', 'C:\\Users\\ada')).toBe(
      join('C:\\Users\\ada\\AppData\\Roaming', 'Replica Desk'),
    );
  });

  it('lets REPLICA_DESK_HOME override it', () => {
    expect(resolveDataDir({ REPLICA_DESK_HOME: '/srv/rd', XDG_CONFIG_HOME: '/cfg' }, 'linux', '/home/ada')).toBe('/srv/rd');
  });
});
