// The first-screen part of `npm run bench:history` (issue 10 §3): the History view's first
// screen in Chromium, the built renderer on the test bridge over an already seeded data
// directory, from navigation to the first run rows in the DOM (target < 300 ms), each load
// in a fresh page, and where that time goes: index.html, the scripts received, compiled and
// started, React's first commit, the first listRunPage asked and answered, the rows in the
// DOM and painted.
import type { Browser } from 'playwright-core';
import { startBridge } from '../../tests/e2e/bridge/bridgeServer';
import { launchChromium } from '../../tests/e2e/bridge/browser';
import { figures } from './figures';

// Runs in the page before any of its own scripts: notes, in ms since navigation started
// (performance.now()'s origin), when the app's root first has content (React's first commit)
// and when the first run row is in the DOM; then, after the frame that follows, roughly when
// that row was painted (a task queued from requestAnimationFrame runs after the frame).
const FIRST_ROW_PROBE = `
  window.__probe = {};
  const note = (name) => { if (window.__probe[name] === undefined) window.__probe[name] = performance.now(); };
  new MutationObserver((_, observer) => {
    if (document.querySelector('#root > *')) note('mounted');
    if (document.querySelector('.run-list a.run-row')) {
      note('row');
      observer.disconnect();
      requestAnimationFrame(() => setTimeout(() => note('painted')));
    }
  }).observe(document, { childList: true, subtree: true });
`;

// Waits in the page for the probe's note that the row was painted. (Not waitForFunction: it
// evaluates its predicate in a way the app's CSP, without 'unsafe-eval', refuses.)
const PAINTED = `new Promise((done) => {
  const check = () => (window.__probe.painted !== undefined ? done(true) : setTimeout(check, 5));
  check();
})`;

// Read in the page once the row is painted: the probe's notes, the renderer's mark as its own
// code starts (src/renderer/src/startEarly.ts: the entry chunk has been fetched and compiled),
// and resource timing for the scripts fetched until then and for the first listRunPage.
const READ_PHASES = `(() => {
  const probe = window.__probe;
  const nav = performance.getEntriesByType('navigation')[0];
  const resources = performance.getEntriesByType('resource');
  const scripts = resources.filter((r) => r.name.endsWith('.js') && r.responseEnd <= probe.row);
  const firstPage = resources.filter((r) => r.name.endsWith('/api/listRunPage')).sort((a, b) => a.startTime - b.startTime)[0];
  const start = performance.getEntriesByName('replica-desk:start')[0];
  return {
    html: nav ? nav.responseEnd : NaN,
    scriptsReceived: scripts.length ? Math.max(...scripts.map((r) => r.responseEnd)) : NaN,
    scriptKiB: scripts.reduce((sum, r) => sum + r.encodedBodySize, 0) / 1024,
    scriptCount: scripts.length,
    appStart: start ? start.startTime : NaN,
    mounted: probe.mounted,
    pageAsked: firstPage ? firstPage.startTime : NaN,
    pageAnswered: firstPage ? firstPage.responseEnd : NaN,
    row: probe.row,
    painted: probe.painted,
  };
})()`;

/** One first screen: where its time went, each moment in ms since navigation started. */
export interface FirstScreen {
  html: number;
  /** The last script that arrived before the first row. */
  scriptsReceived: number;
  scriptKiB: number;
  scriptCount: number;
  /** The renderer's own code starts: the entry chunk is compiled (NaN for a build without the mark). */
  appStart: number;
  mounted: number;
  pageAsked: number;
  pageAnswered: number;
  /** The figure: the first run rows are in the DOM. */
  row: number;
  painted: number;
}

const MOMENTS: Array<[keyof FirstScreen, string]> = [
  ['html', 'index.html received'],
  ['scriptsReceived', 'scripts received'],
  ['appStart', "entry compiled, the app's code starts"],
  ['mounted', 'React mounted (first commit)'],
  ['pageAsked', 'first listRunPage asked'],
  ['pageAnswered', 'first listRunPage answered'],
  ['row', 'first run rows in the DOM'],
  ['painted', 'first run rows painted (next frame)'],
];

const ms = (value: number): string => (Number.isFinite(value) ? `${value.toFixed(0)}` : 'n/a');

/** One load of `#/history` in a fresh page of `browser`, from the bridge at `url`; the run count it showed. */
export async function loadFirstScreen(browser: Browser, url: string): Promise<FirstScreen & { countText: string }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  try {
    await page.addInitScript(FIRST_ROW_PROBE);
    await page.goto(`${url}#/history`);
    await page.locator('.run-list a.run-row').first().waitFor({ timeout: 60_000 });
    await page.evaluate(PAINTED);
    const screen = (await page.evaluate(READ_PHASES)) as FirstScreen;
    return { ...screen, countText: (await page.locator('.run-count').textContent()) ?? '' };
  } finally {
    await page.close();
  }
}

/** Loads `#/history` `repeat` times (after one uncounted warm-up), each in a fresh page. */
export async function measureFirstScreen(home: string, repeat: number, log: (line: string) => void): Promise<FirstScreen[]> {
  const bridge = await startBridge({ home });
  const browser = await launchChromium();
  try {
    const all: FirstScreen[] = [];
    // The first load warms the bridge and Chromium's caches; it is not counted.
    for (let i = 0; i <= repeat; i++) {
      const s = await loadFirstScreen(browser, bridge.url);
      if (i > 0) all.push(s);
      log(
        `first screen ${i === 0 ? '(warm-up) ' : ''}${ms(s.row)} ms: html ${ms(s.html)}, ${s.scriptCount} scripts (${s.scriptKiB.toFixed(0)} KiB) ` +
          `received ${ms(s.scriptsReceived)}, app starts ${ms(s.appStart)}, mounted ${ms(s.mounted)}, ` +
          `listRunPage ${ms(s.pageAsked)}–${ms(s.pageAnswered)}, rows ${ms(s.row)}, painted ${ms(s.painted)}; ${s.countText}`,
      );
    }
    return all;
  } finally {
    await browser.close();
    await bridge.close();
  }
}

/** The headline figure, then each moment's best and median, for the benchmark's summary. */
export function firstScreenLines(all: FirstScreen[]): string[] {
  const scripts = all[0] ? `${all[0].scriptCount} scripts, ${all[0].scriptKiB.toFixed(0)} KiB` : 'no scripts';
  return [
    `History view, first screen in Chromium: ${figures(all.map((s) => s.row), 'ms')} (target < 300 ms), navigation to the first rows`,
    `  where it goes, ms since navigation (${scripts} before the first rows):`,
    ...MOMENTS.map(([key, label]) => {
      const values = all.map((s) => s[key]).filter(Number.isFinite);
      return `    ${label.padEnd(40)} ${values.length ? figures(values, 'ms') : 'n/a'}`;
    }),
  ];
}
