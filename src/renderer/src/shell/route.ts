// The app's routes live in the URL's hash, so the Electron window, the browser preview and
// the end-to-end tests can all open a view directly (`#/history/RUN_ID`,
// `#/restore?installation=prod&replica=rls1`) and the back button works.
export type ViewName = 'installations' | 'topology' | 'restore' | 'history';

export type Route =
  | { view: 'installations' }
  | { view: 'topology' }
  /** `rollback`: the wizard prepares a rollback of this side-by-side run instead of a restore. */
  | { view: 'restore'; installation?: string; replica?: string; resume?: string; rollback?: string }
  /** installation/replica preselect the list's filters (a replica as `installation/server`). */
  | { view: 'history'; runId?: string; installation?: string; replica?: string };

export const DEFAULT_ROUTE: Route = { view: 'installations' };

function decode(part: string): string | null {
  try {
    return decodeURIComponent(part);
  } catch {
    return null;
  }
}

const param = (params: URLSearchParams, name: string): Record<string, string> => {
  const value = params.get(name);
  return value ? { [name]: value } : {};
};

/** The route a location hash names; anything unknown is the default view. */
export function parseRoute(hash: string): Route {
  const text = hash.replace(/^#/, '');
  const queryAt = text.indexOf('?');
  const path = queryAt === -1 ? text : text.slice(0, queryAt);
  const params = new URLSearchParams(queryAt === -1 ? '' : text.slice(queryAt + 1));
  const segments = path.split('/').filter(Boolean).map(decode);
  if (segments.some((s) => s === null)) return DEFAULT_ROUTE;
  const [view, id] = segments as string[];
  switch (view) {
    case 'topology':
      return { view: 'topology' };
    case 'restore':
      return { view: 'restore', ...param(params, 'installation'), ...param(params, 'replica'), ...param(params, 'resume'), ...param(params, 'rollback') };
    case 'history':
      return id ? { view: 'history', runId: id } : { view: 'history', ...param(params, 'installation'), ...param(params, 'replica') };
    default:
      return DEFAULT_ROUTE;
  }
}

/** The hash for a route, e.g. `#/history/20261123-101500-a1b2c3`. */
export function routeHash(route: Route): string {
  const query = (values: Record<string, string | undefined>) => {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(values)) if (value) params.set(name, value);
    const text = params.toString();
    return text ? `?${text}` : '';
  };
  switch (route.view) {
    case 'installations':
    case 'topology':
      return `#/${route.view}`;
    case 'restore':
      return `#/restore${query({ installation: route.installation, replica: route.replica, resume: route.resume, rollback: route.rollback })}`;
    case 'history':
      return route.runId ? `#/history/${encodeURIComponent(route.runId)}` : `#/history${query({ installation: route.installation, replica: route.replica })}`;
  }
}
