import { existsSync } from 'node:fs';

/**
 * Debian's Chromium (apt), never a downloaded browser, with the flags facts.md records for headless
 * runs on these machines. Shared by the browser tests and the cockpit benchmark.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Browser tests skip only on a developer machine without Chromium; with CI set they always run. */
export const skipWithoutChromium = !process.env.CI && !existsSync(CHROMIUM);
