import type { Page } from 'playwright-core';
import { launchBrowser, screenAndAxe } from './browser';

export { RESULTS } from './browser';

export interface ConsoleBrowser {
  page: Page;
  /** Waits for a selector; when it never shows, the error carries what the page says. */
  shown(selector: string, timeout?: number): Promise<void>;
  /** A full-page screenshot under .test-results/ and the serious or critical axe violations. */
  check(name: string): Promise<string[]>;
  close(): Promise<void>;
}

/** The shared headless browser, with the two checks the console suites make on every screen. */
export async function openConsoleBrowser(): Promise<ConsoleBrowser> {
  const browser = await launchBrowser();
  const { page } = browser;
  return {
    page,
    shown: async (selector, timeout = 20000) => {
      try {
        await page.locator(selector).first().waitFor({ timeout });
      } catch (err) {
        const text = await page.locator('body').innerText();
        throw new Error(`${selector} not shown at ${page.url()}: ${text.slice(0, 1500)}`, {
          cause: err,
        });
      }
    },
    check: (name) => screenAndAxe(page, name),
    close: () => browser.close(),
  };
}
