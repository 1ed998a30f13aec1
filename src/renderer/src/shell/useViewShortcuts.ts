// Ctrl/⌘+1…4 anywhere in the window switch the main view (see viewShortcuts.ts).
import { useEffect } from 'react';
import type { ViewName } from './route';
import { viewForShortcut } from './viewShortcuts';

export function useViewShortcuts(isMac: boolean, onView: (view: ViewName) => void): void {
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.repeat) return;
      const view = viewForShortcut(event, isMac);
      if (!view) return;
      event.preventDefault();
      onView(view);
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [isMac, onView]);
}
