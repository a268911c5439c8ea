/**
 * `vite --mode mock` (what `npm run dev` runs) on a free loopback port, for the mock-mode spec:
 * the SPA from source with MSW's service worker answering /api/* in the page with the real
 * server code (decision 002). Not the production build, which holds no mock code.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../../../scripts/lib/app-server.mjs';
import { stopChildProcess } from '../../../scripts/lib/child-process.mjs';
import { freePort } from '../../support/ephemeral-port';

export interface MockDevServer {
  url: string;
  stop(): Promise<void>;
}

const startTimeoutMs = 60_000;
const viteBin = join(repoRoot, 'node_modules', 'vite', 'bin', 'vite.js');

/** Starts the dev server in mock mode with `env` (VITE_IDLE_TIMEOUT, ...) and waits until it serves the page. */
export async function startMockDevServer(env: Record<string, string>): Promise<MockDevServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    process.execPath,
    [
      viteBin,
      '--mode',
      'mock',
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--strictPort',
      '--clearScreen',
      'false',
    ],
    { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const stop = async () => void (await stopChildProcess(child, { graceMs: 5_000 }));

  const deadline = Date.now() + startTimeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) break;
    const served = await fetch(url).then(
      (response) => response.ok,
      () => false,
    );
    if (served) return { url, stop };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await stop();
  throw new Error(`vite --mode mock did not serve ${url} within ${startTimeoutMs} ms:\n${output}`);
}
