// The system Chromium the end-to-end tests and the screenshots drive, and how it is launched:
// one list, so the pictures and the tests see the same browser.

/** `CHROMIUM_PATH`, else `/usr/bin/chromium`. */
export const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** Launch flags: no sandbox (root in a container), no GPU, and no background traffic of its own. */
export const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
