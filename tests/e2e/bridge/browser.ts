// Debian's Chromium for the bridge tests, started as this machine allows (no sandbox as
// root, no background networking: the network is closed), and the page problems every
// test checks at its end.
import { chromium, type Browser, type Page } from 'playwright-core';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** Collects the page's uncaught errors, and its console errors and warnings, into `problems`. */
export function collectPageProblems(page: Page, problems: string[], options: { console?: boolean } = {}): void {
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  if (options.console === false) return;
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
}
