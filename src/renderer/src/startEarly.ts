// What the app starts before React: main.tsx imports this module first, so it runs as soon as
// the entry chunk is compiled, before react-dom's module code and the first render. It starts
// loading the start route's view chunk and, when the app opens on the History view, asks for
// its first page of runs, so both are on their way while React starts.
// The mark lets a benchmark (npm run bench:history) and DevTools split the start-up time.
import { askFirstRunPageEarly, earlyFirstRunPageArrived } from './history/earlyRunPage';
import { preloadView } from './shell/lazyViews';
import { parseRoute } from './shell/route';

performance.mark('replica-desk:start');
const route = parseRoute(window.location.hash);
const viewLoaded = preloadView(route.view);
if (route.view === 'history') askFirstRunPageEarly();

/**
 * How long the app's first render waits for the first page of runs at most. Longer, and an
 * empty window would show where the History view could say it is loading.
 */
const FIRST_PAGE_WAIT_MS = 200;

/** Settles when what the start route's first render needs is here: its view's chunk, and the first page of runs (briefly). */
export const startReady: Promise<unknown> = Promise.all([viewLoaded, earlyFirstRunPageArrived(FIRST_PAGE_WAIT_MS)]);
