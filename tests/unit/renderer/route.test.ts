import { describe, expect, it } from 'vitest';
import { DEFAULT_ROUTE, parseRoute, routeHash, type Route } from '../../../src/renderer/src/shell/route';
import { isMacPlatform, MAIN_VIEWS, shortcutLabel, viewForShortcut, type ShortcutKey } from '../../../src/renderer/src/shell/viewShortcuts';

describe('hash routes', () => {
  it('opens the installations for an empty, root or unknown hash', () => {
    for (const hash of ['', '#', '#/', '#/installations', '#/nowhere', '#/%E0%A4%A']) expect(parseRoute(hash), hash).toEqual(DEFAULT_ROUTE);
  });

  it('reads every view and its parameters', () => {
    expect(parseRoute('#/topology')).toEqual({ view: 'topology' });
    expect(parseRoute('#/restore')).toEqual({ view: 'restore' });
    expect(parseRoute('#/restore?installation=prod-eu&replica=rls1')).toEqual({ view: 'restore', installation: 'prod-eu', replica: 'rls1' });
    expect(parseRoute('#/restore?resume=20261123-101500-a1b2c3')).toEqual({ view: 'restore', resume: '20261123-101500-a1b2c3' });
    expect(parseRoute('#/restore?rollback=20261123-101500-a1b2c3')).toEqual({ view: 'restore', rollback: '20261123-101500-a1b2c3' });
    expect(parseRoute('#/history')).toEqual({ view: 'history' });
    expect(parseRoute('#/history/20261123-101500-a1b2c3')).toEqual({ view: 'history', runId: '20261123-101500-a1b2c3' });
    expect(parseRoute('#/history?installation=prod&replica=prod%2Frls1')).toEqual({ view: 'history', installation: 'prod', replica: 'prod/rls1' });
  });

  it('writes hashes that read back as the same route', () => {
    const routes: Route[] = [
      { view: 'installations' },
      { view: 'topology' },
      { view: 'restore' },
      { view: 'restore', installation: 'staging eu', replica: 'rls/1' },
      { view: 'restore', resume: 'run-1' },
      { view: 'restore', rollback: 'run-1' },
      { view: 'history' },
      { view: 'history', runId: 'a b/c' },
      { view: 'history', installation: 'prod', replica: 'prod/rls1' },
    ];
    for (const route of routes) expect(parseRoute(routeHash(route))).toEqual(route);
    expect(routeHash({ view: 'restore', resume: 'x' })).toBe('#/restore?resume=x');
  });
});

const key = (over: Partial<ShortcutKey>): ShortcutKey => ({ key: '', code: '', ctrlKey: false, metaKey: false, altKey: false, shiftKey: false, ...over });

describe('view shortcuts', () => {
  it('maps Ctrl+1…4 to the four views on Linux and Windows, ⌘ on macOS', () => {
    expect(MAIN_VIEWS.map((v) => viewForShortcut(key({ key: v.digit, code: `Digit${v.digit}`, ctrlKey: true }), false))).toEqual([
      'installations', 'topology', 'restore', 'history',
    ]);
    expect(viewForShortcut(key({ key: '4', code: 'Digit4', metaKey: true }), true)).toBe('history');
    expect(viewForShortcut(key({ key: '4', code: 'Digit4', ctrlKey: true }), true)).toBeNull();
    expect(viewForShortcut(key({ key: '4', code: 'Digit4', metaKey: true }), false)).toBeNull();
  });

  it('reads the physical key, so AZERTY (where 2 is "é") and the keypad work', () => {
    expect(viewForShortcut(key({ key: 'é', code: 'Digit2', ctrlKey: true }), false)).toBe('topology');
    expect(viewForShortcut(key({ key: '3', code: 'Numpad3', ctrlKey: true }), false)).toBe('restore');
  });

  it('leaves other keys and modifier combinations alone', () => {
    expect(viewForShortcut(key({ key: '1', code: 'Digit1' }), false)).toBeNull();
    expect(viewForShortcut(key({ key: '1', code: 'Digit1', ctrlKey: true, altKey: true }), false)).toBeNull();
    expect(viewForShortcut(key({ key: '5', code: 'Digit5', ctrlKey: true }), false)).toBeNull();
    expect(viewForShortcut(key({ key: 'c', code: 'KeyC', ctrlKey: true }), false)).toBeNull();
  });

  it('writes the shortcut as the platform does', () => {
    expect(shortcutLabel('2', false)).toBe('Ctrl+2');
    expect(shortcutLabel('2', true)).toBe('⌘2');
    expect(isMacPlatform('MacIntel')).toBe(true);
    expect(isMacPlatform('Linux x86_64')).toBe(false);
  });
});
