// Ctrl+1…4 (⌘1…4 on macOS) switch between the main views. The digit is read from the
// physical key where the browser says which one it is, so layouts whose number row needs
// Shift (AZERTY) work too.
import type { ViewName } from './route';

export interface MainView {
  view: ViewName;
  label: string;
  digit: '1' | '2' | '3' | '4';
}

export const MAIN_VIEWS: readonly MainView[] = [
  { view: 'installations', label: 'Installations', digit: '1' },
  { view: 'topology', label: 'Topology', digit: '2' },
  { view: 'restore', label: 'Restore', digit: '3' },
  { view: 'history', label: 'History', digit: '4' },
];

export interface ShortcutKey {
  key: string;
  code: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
}

export function isMacPlatform(platform: string): boolean {
  return /mac|iphone|ipad/i.test(platform);
}

/** The view a key press asks for, or null when it is not one of the view shortcuts. */
export function viewForShortcut(event: ShortcutKey, isMac: boolean): ViewName | null {
  const command = isMac ? event.metaKey && !event.ctrlKey : event.ctrlKey && !event.metaKey;
  if (!command || event.altKey) return null;
  const digit = /^(?:Digit|Numpad)([1-9])$/.exec(event.code)?.[1] ?? (/^[1-9]$/.test(event.key) ? event.key : null);
  return MAIN_VIEWS.find((v) => v.digit === digit)?.view ?? null;
}

/** How the shortcut is written for this platform, e.g. `Ctrl+2` or `⌘2`. */
export function shortcutLabel(digit: string, isMac: boolean): string {
  return isMac ? `⌘${digit}` : `Ctrl+${digit}`;
}
