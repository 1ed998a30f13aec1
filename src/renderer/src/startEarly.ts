// What the app starts before React: main.tsx imports this module first, so it runs as soon as
// the entry chunk is compiled, before react-dom's module code and the first render. It starts
// loading the start route's view chunk and, when the app opens on the History view, asks for
// its first page of runs, so both are on their way while React starts.
// The mark lets a benchmark (npm run bench:history) and DevTools split the start-up time.
import { askFirstRunPageEarly } from './history/earlyRunPage';
import { preloadView } from './shell/lazyViews';
import { parseRoute } from './shell/route';

performance.mark('replica-desk:start');
const route = parseRoute(window.location.hash);
/** Settles when the start route's view chunk has arrived (or failed to). */
export const startViewLoaded: Promise<unknown> = preloadView(route.view);
if (route.view === 'history') askFirstRunPageEarly();
