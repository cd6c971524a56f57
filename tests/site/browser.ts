// Debian's Chromium, driven by playwright-core (which ships no browser of its own).
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM } from '../../web/chromium';

export { CHROMIUM };

/**
 * Why the browser tests cannot run here, or undefined when they can. Outside CI a
 * missing Chromium skips them with this reason; in CI (CI=true) it is a failure.
 */
export function chromiumSkipReason(): string | undefined {
  if (existsSync(CHROMIUM)) return undefined;
  const reason = `no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`;
  if (process.env.CI && process.env.CI !== 'false') throw new Error(`CI needs the browser tests: ${reason}`);
  return reason;
}

/** Headless Chromium with nothing running in the background (no network beyond the page's own). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
}
