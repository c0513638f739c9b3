import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's Chromium (`apt-get install chromium`); CHROMIUM_PATH points elsewhere. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Where screenshots of failed browser tests go (git-ignored). */
export const SCREENSHOT_DIR = join(process.cwd(), '.data', 'test-results', 'browser');

// Headless, and quiet: no sandbox (CI runs as root), no GPU, and none of the browser's own
// traffic (updates, sync, QUIC probes), so that every request a test sees comes from the page.
const FLAGS = [
  '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--no-first-run', '--disable-sync', '--disable-quic',
];

/** Launches the system Chromium; when it is missing, fails saying how to install it (never skips). */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium is not installed at ${CHROMIUM_PATH}: install it with \`apt-get update && apt-get install -y chromium\` (as .ci/run does), or set CHROMIUM_PATH.`);
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: FLAGS });
}

/** Saves a full-page screenshot named after the test; returns its path (or why there is none). */
export async function screenshot(page: Page | undefined, testName: string): Promise<string> {
  if (!page || page.isClosed()) return '(no page to take a screenshot of)';
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const file = join(SCREENSHOT_DIR, `${testName.replace(/[^\w-]+/g, '-').slice(0, 100)}.png`);
  return page.screenshot({ path: file, fullPage: true, timeout: 5000 }).then(() => file, (error: Error) => `(the screenshot failed: ${error.message})`);
}

/**
 * `it`, with a screenshot of the page when the test fails; the error names the file.
 * The page is looked up when the test runs (it is made in beforeAll).
 */
export function itWithScreenshot(name: string, page: () => Page | undefined, body: () => Promise<void>, timeoutMs?: number): void {
  it(name, async () => {
    try {
      await body();
    } catch (error) {
      const file = await screenshot(page(), name);
      if (error instanceof Error) error.message += `\n(screenshot: ${file})`;
      throw error;
    }
  }, timeoutMs);
}
