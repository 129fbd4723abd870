import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's Chromium (`apt-get install -y chromium`); these tests never download a browser. */
export const CHROMIUM = '/usr/bin/chromium';

export const chromiumPresent = existsSync(CHROMIUM);

/** `describe` when Chromium is installed; otherwise the suite is skipped, saying why. */
export function describeInBrowser(name: string, body: () => void): void {
  if (chromiumPresent) {
    describe(name, body);
    return;
  }
  // Straight to stderr: jest drops what a fully skipped file logs through console.
  process.stderr.write(
    `\n${name}: SKIPPED, ${CHROMIUM} is missing. Install Debian's Chromium (apt-get install -y chromium) to run the admin page browser tests.\n`,
  );
  describe.skip(name, body);
}

/**
 * Headless Chromium with nothing reaching out to the network on its own (updates, sync, field
 * trials). playwright launches every browser with a fresh temporary profile (user-data-dir).
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

/** Browser steps take longer than the suite's default 30 s on a busy 2-core machine. */
export const STEP_TIMEOUT_MS = 90_000;

export const WIDE = { width: 1280, height: 860 };
export const NARROW = { width: 390, height: 844 };

const SHOTS = path.resolve('test-artifacts/ui');

/**
 * Saves the page as it looks now at both widths (test-artifacts/ui/<name>-1280.png and -390.png)
 * and checks that at 390 pixels nothing makes the page scroll sideways.
 */
export async function shoot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}-${WIDE.width}.png`), fullPage: true });
  await page.setViewportSize(NARROW);
  await page.screenshot({ path: path.join(SHOTS, `${name}-${NARROW.width}.png`), fullPage: true });
  const overflow = await sidewaysScroll(page);
  await page.setViewportSize(WIDE);
  expect({ page: name, sidewaysScrollAt390: overflow }).toEqual({ page: name, sidewaysScrollAt390: 0 });
}

// The browser globals the page functions below touch. The tests compile without the DOM library
// (so the server code never sees browser globals); these declarations are local to this module.
declare const document: {
  documentElement: { scrollWidth: number; clientWidth: number };
  querySelectorAll(selector: string): { length: number };
  cookie: string;
};
declare const sessionStorage: {
  length: number;
  key(index: number): string | null;
  getItem(name: string): string | null;
};
declare const localStorage: { length: number };
declare const navigator: { clipboard: { readText(): Promise<string> } };

/** What the page keeps: sessionStorage entries, how many localStorage entries, its cookies. */
export function pageStorage(page: Page): Promise<{ session: string[]; localCount: number; cookie: string }> {
  return page.evaluate(() => {
    const session: string[] = [];
    for (let i = 0; i < sessionStorage.length; i++)
      session.push(sessionStorage.getItem(sessionStorage.key(i) ?? '') ?? '');
    return { session, localCount: localStorage.length, cookie: document.cookie };
  });
}

export function clipboardText(page: Page): Promise<string> {
  return page.evaluate(() => navigator.clipboard.readText());
}

function sidewaysScroll(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

/** Waits until the table body has exactly `count` rows (after a search or a filter answered). */
export async function waitForRows(page: Page, count: number): Promise<void> {
  await page.waitForFunction((n) => document.querySelectorAll('table tbody tr').length === n, count);
}
