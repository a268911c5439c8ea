/**
 * Mock mode in the browser (`vite --mode mock`): a service worker hands every `/api/*` request
 * to the real server code running in the page, so the SPA runs with no server at all.
 * src/main.tsx imports this module only in mock mode, so the production build leaves it out.
 */
import { setupWorker } from 'msw/browser';
import { createMockApi, type MockApi } from './handlers';
import { sessionConfigFromEnv } from './session-env';

/**
 * Starts the mock API and resolves once the worker answers requests; call it before the first
 * `/api` request. Limits come from `VITE_IDLE_TIMEOUT`, `VITE_IDLE_WARNING`,
 * `VITE_ABSOLUTE_TIMEOUT` and `VITE_DRAFT_RETENTION` (durations, e.g. `20s`), else the server's defaults. Sessions and the
 * cookie jar live in `localStorage`, so a reload keeps the user signed in and tabs share them.
 * Returns the mock API (its store, cookies and logs), handy from the devtools console.
 */
export async function startMockWorker(): Promise<MockApi> {
  const mockApi = createMockApi({ session: sessionConfigFromEnv(import.meta.env), storage: localStorage });
  const worker = setupWorker(...mockApi.handlers);
  await worker.start({
    onUnhandledRequest: 'bypass',
    quiet: true,
    // Served in dev by the mock-service-worker plugin in vite.config.ts; never part of a build.
    serviceWorker: { url: '/mockServiceWorker.js' },
  });
  return mockApi;
}
