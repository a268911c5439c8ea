import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';
import { configDefaults } from 'vitest/config';

const require = createRequire(import.meta.url);

/**
 * Serves MSW's worker script in mock mode only. It is never copied into `public/`, so the
 * production build cannot contain it.
 */
function mockServiceWorker(): Plugin {
  return {
    name: 'mock-service-worker',
    apply: 'serve',
    configureServer(server) {
      server.middlewares.use('/mockServiceWorker.js', (_request, response) => {
        response.setHeader('Content-Type', 'text/javascript');
        response.setHeader('Cache-Control', 'no-store');
        response.end(readFileSync(require.resolve('msw/mockServiceWorker.js')));
      });
    },
  };
}

const reactRouterProduction = require.resolve('react-router').replace(/([\\/])development([\\/])/, '$1production$2');

/**
 * Client tests of code that touches no DOM (timing rules, schedulers, formatting): they run in
 * Node, without jsdom, Testing Library and the mock API. A jsdom and that set-up cost every test
 * file about 3 s of a core, which these 13 files never used (decision 030). A file that needs the
 * DOM fails here at once (`document is not defined`); it belongs in the client project.
 */
const clientTestsWithoutDom = [
  'mocks/session-env.test.ts',
  'src/features/auth/login-url.test.ts',
  'src/features/notes/draft-saver.test.ts',
  'src/features/session/activity-broadcaster.test.ts',
  'src/features/session/countdown-announcements.test.ts',
  'src/features/session/heartbeat-outcome.test.ts',
  'src/features/session/heartbeat-scheduler.test.ts',
  'src/features/session/input-listener.test.ts',
  'src/features/session/session-hold.test.ts',
  'src/features/session/session-monitor.test.ts',
  'src/features/session/session-state.test.ts',
  'src/lib/duration.test.ts',
  'src/lib/listeners.test.ts',
  'src/lib/paths.test.ts',
];

/** `npm run dev:server` points the dev server at a real server on this address. */
const apiTarget = process.env.API_TARGET ?? 'http://127.0.0.1:3000';

export default defineConfig(({ command, mode }) => ({
  plugins: [react(), mockServiceWorker()],
  server: mode === 'mock' ? {} : { proxy: { '/api': { target: apiTarget } } },
  // react-router's `exports` name only its development build (dev warnings on); its production
  // build is the same code with them off, so the bundle drops them.
  resolve: command === 'build' ? { alias: [{ find: /^react-router$/, replacement: reactRouterProduction }] } : {},
  // Hidden source maps: written for bench/bundle.ts and debugging, never linked from the bundle
  // (and never served: server/routes/spa.ts answers 404 for them). No modulepreload helper: each
  // lazy chunk imports only what has loaded before it (the router chunk imports the entry, the
  // signed-in chunk the router chunk, which is what loads it; decisions 012 and 019).
  build: { sourcemap: 'hidden', modulePreload: false },
  test: {
    // One test file per core. Vitest's default for `vitest run` is one less than the cores, which
    // on a two-core machine runs every file one after another, while many of them mostly wait
    // (jsdom set-up, real timeouts of the server tests).
    maxWorkers: '100%',
    projects: [
      {
        extends: true,
        test: {
          name: 'server',
          environment: 'node',
          include: [
            'server/**/*.test.ts',
            'shared/**/*.test.ts',
            'test/server/**/*.test.ts',
            'test/contract/**/*.test.ts',
            'test/scripts/**/*.test.ts',
          ],
          testTimeout: 20_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'client',
          environment: 'jsdom',
          include: ['src/**/*.test.{ts,tsx}', 'mocks/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...clientTestsWithoutDom],
          setupFiles: ['test/setup-client.ts'],
          globals: true,
          // Client tests run on fake timers, so this limit guards against hangs, not slowness: on
          // two busy cores a whole app rendered through a few minutes of fake time takes over 5 s.
          testTimeout: 20_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'client-node',
          environment: 'node',
          include: clientTestsWithoutDom,
          setupFiles: ['test/setup-client-node.ts'],
          testTimeout: 20_000,
        },
      },
    ],
  },
}));
