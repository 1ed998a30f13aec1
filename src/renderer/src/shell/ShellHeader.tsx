import type { ViewName } from './route';
import { routeHash } from './route';
import { MAIN_VIEWS, shortcutLabel } from './viewShortcuts';

interface ShellHeaderProps {
  current: ViewName;
  isMac: boolean;
  /** Offered on the installations view: read them again after a CLI import. */
  onReloadInstallations?(): void;
}

/** The window's top bar: the product, the four main views with their shortcuts, and view actions. */
export function ShellHeader({ current, isMac, onReloadInstallations }: ShellHeaderProps) {
  return (
    <header className="app-header">
      <div className="brand">
        <svg className="brand-mark" viewBox="0 0 24 24" aria-hidden="true">
          <ellipse cx="9" cy="6" rx="6" ry="2.5" fill="none" stroke="currentColor" strokeWidth="1.6" />
          <path d="M3 6v8c0 1.4 2.7 2.5 6 2.5" fill="none" stroke="currentColor" strokeWidth="1.6" />
          <path d="M15 6v4" fill="none" stroke="currentColor" strokeWidth="1.6" />
          <path d="M14 13.5h7m0 0-2.5-2.5m2.5 2.5L18.5 16M21 19.5h-7m0 0 2.5-2.5M14 19.5l2.5 2.5" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" />
        </svg>
        <div>
          <h1>Replica Desk</h1>
          <p className="brand-sub">CoreMedia Live Server restores</p>
        </div>
      </div>
      <nav className="main-nav" aria-label="Main">
        <ul>
          {MAIN_VIEWS.map((v) => {
            const shortcut = shortcutLabel(v.digit, isMac);
            return (
              <li key={v.view}>
                <a
                  className="main-nav-link"
                  href={routeHash({ view: v.view })}
                  aria-current={v.view === current ? 'page' : undefined}
                  aria-keyshortcuts={isMac ? `Meta+${v.digit}` : `Control+${v.digit}`}
                  title={`${v.label} (${shortcut})`}
                >
                  {v.label}
                </a>
              </li>
            );
          })}
        </ul>
      </nav>
      <div className="app-header-actions">
        {onReloadInstallations ? (
          <button type="button" className="button button-quiet" onClick={onReloadInstallations} title="Read the installations again, e.g. after a CLI import">
            Reload
          </button>
        ) : null}
      </div>
    </header>
  );
}
