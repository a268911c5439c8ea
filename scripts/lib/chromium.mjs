// The system Chromium and the flags every browser run here uses (end-to-end tests, screenshots,
// benches): they keep Chromium's own background work (updates, sync, QUIC probes) out of the way.

export const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
