import AxeBuilder from '@axe-core/playwright';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrowserContext, chromium, Page } from 'playwright-core';

export const RESULTS = join(__dirname, '..', '..', '.test-results');

export interface ConsoleBrowser {
  page: Page;
  /** Waits for a selector; when it never shows, the error carries what the page says. */
  shown(selector: string, timeout?: number): Promise<void>;
  /** A full-page screenshot under .test-results/ and the serious or critical axe violations. */
  check(name: string): Promise<string[]>;
  close(): Promise<void>;
}

/** Debian's chromium through playwright-core, in a throwaway profile. */
export async function openConsoleBrowser(): Promise<ConsoleBrowser> {
  mkdirSync(RESULTS, { recursive: true });
  const profile = mkdtempSync(join(tmpdir(), 'console-chromium-'));
  const context: BrowserContext = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1280, height: 900 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
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
    check: async (name) => {
      await page.screenshot({ path: join(RESULTS, `console-${name}.png`), fullPage: true });
      const { violations } = await new AxeBuilder({ page }).analyze();
      return violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    },
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
