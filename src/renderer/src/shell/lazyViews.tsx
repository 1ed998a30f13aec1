// The main views as chunks of their own, loaded when first shown: the app's first screen then
// compiles and runs only the code of the view its route names (the History list needs
// neither the restore wizard nor the installation editor's zod schemas). `preload` starts a
// view's chunk before React asks for it, e.g. the start route's while React starts up.
// The History list is no chunk of its own but part of the entry (App imports it): it is the
// view that must show a long history at once (issue 10), and a chunk would put a second
// request between the app's start and its first rows. A run's page is a chunk (HistoryView).
// A view whose chunk has arrived renders directly, not through React.lazy: lazy suspends at
// least once, and React holds back revealing suspended content for up to 300 ms after a
// fallback showed (its anti-flicker throttle), which the first screen would pay in full.
import { lazy, type ComponentProps, type ComponentType, type FunctionComponent } from 'react';
import type { InstallationsView } from '../installations/InstallationsView';
import type { RestoreWizard } from '../restore/RestoreWizard';
import type { TopologyView } from '../topology/TopologyView';
import type { ViewName } from './route';

interface Preloadable {
  preload(): Promise<unknown>;
}

interface LazyView<P> extends Preloadable {
  View: FunctionComponent<P>;
}

function lazyView<P extends object>(load: () => Promise<ComponentType<P>>): LazyView<P> {
  let loaded: ComponentType<P> | null = null;
  let loading: Promise<{ default: ComponentType<P> }> | null = null;
  const preload = () =>
    (loading ??= load().then((component) => {
      loaded = component;
      return { default: component };
    }));
  const Lazy = lazy(preload);
  const View = (props: P) => {
    const Component = loaded ?? Lazy;
    return <Component {...props} />;
  };
  return { View, preload };
}

export const Installations: LazyView<ComponentProps<typeof InstallationsView>> = lazyView(() => import('../installations/InstallationsView').then((m) => m.InstallationsView));
export const Topology: LazyView<ComponentProps<typeof TopologyView>> = lazyView(() => import('../topology/TopologyView').then((m) => m.TopologyView));
export const Restore: LazyView<ComponentProps<typeof RestoreWizard>> = lazyView(() => import('../restore/RestoreWizard').then((m) => m.RestoreWizard));

const VIEWS: Partial<Record<ViewName, Preloadable>> = { installations: Installations, topology: Topology, restore: Restore };

/**
 * Starts loading a view's chunk (once); React's first render of it then waits less or not at
 * all. Settles when the chunk has arrived or failed to (the view then shows the failure).
 */
export const preloadView = (view: ViewName): Promise<unknown> => VIEWS[view]?.preload().catch(() => undefined) ?? Promise.resolve();
