/**
 * The production build carries no mock code: no MSW, no worker script, nothing from mocks/.
 * No browser here; this runs as its own project before the browser tests (playwright.config.ts).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { distDir, makeTempDir, repoRoot } from '../../scripts/lib/app-server.mjs';
import { scanForMsw } from './support/msw-scan';

test('the production build contains no MSW code and no mockServiceWorker.js', () => {
  const { files, findings } = scanForMsw(distDir);
  // Not vacuous: the scan saw the built page and its scripts.
  expect(files).toContain('index.html');
  const scripts = files.filter((file) => file.endsWith('.js'));
  expect(scripts.length).toBeGreaterThan(0);
  for (const script of scripts) expect(readFileSync(join(distDir, script), 'utf8').length).toBeGreaterThan(10_000);
  expect(existsSync(join(distDir, 'mockServiceWorker.js'))).toBe(false);
  expect(findings).toEqual([]);
});

test('the same scan finds MSW in a mock-mode build, so a leak would fail the test above', () => {
  test.setTimeout(120_000);
  const out = makeTempDir('idle-session-mock-build-');
  try {
    const build = spawnSync(
      process.execPath,
      [
        join(repoRoot, 'node_modules/vite/bin/vite.js'),
        'build',
        '--mode',
        'mock',
        '--outDir',
        out.path,
        '--emptyOutDir',
        '--logLevel',
        'error',
      ],
      {
        cwd: repoRoot,
        encoding: 'utf8',
      },
    );
    expect(build.status, build.stderr).toBe(0);
    const whats = new Set(scanForMsw(out.path).findings.map((finding) => finding.what));
    expect([...whats]).toEqual(expect.arrayContaining(['mockServiceWorker', 'setupWorker', 'msw', '[MSW] log prefix']));
    expect([...whats].some((what) => what.startsWith('source ') && what.includes('node_modules/msw/'))).toBe(true);
  } finally {
    out.remove();
  }
});
