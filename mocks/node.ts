/**
 * The mock API for Vitest (Node and jsdom): one MSW server for a test run.
 *
 * Lifecycle, in the setup file (test/setup-client.ts):
 *
 *   beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
 *   afterEach(() => { server.resetHandlers(); mockApi.reset(); });
 *   afterAll(() => server.close());
 *
 * A test that needs other limits calls `mockApi.configure({ idleTimeoutMs: 10_000, warningMs: 5_000 })`
 * before it renders; `mockApi.reset()` in `afterEach` puts the defaults back. A test that wants a
 * failure instead of the real server overrides a route with `server.use(http.post(...))`.
 * The mock server's clock is `Date.now()`, so `vi.useFakeTimers()` (with `Date` faked) moves it.
 */
import { setupServer } from 'msw/node';
import { createMockApi } from './handlers';

export const mockApi = createMockApi();

export const server = setupServer(...mockApi.handlers);
