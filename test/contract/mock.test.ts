/**
 * The session API contract against the MSW mock (mocks/handlers.ts) in Node, through the global
 * `fetch` as the SPA's component tests call it. The mock keeps the browser's cookies itself (it
 * has one jar, like one browser), so each contract browser lends its cookies to the mock for the
 * length of one request.
 */
import { setupServer } from 'msw/node';
import { afterAll, beforeAll } from 'vitest';
import { createCookieJar, toSetCookie, type CookieJar } from '../../mocks/cookie-jar';
import { createMockApi } from '../../mocks/handlers';
import { createTestClock } from '../support/test-server';
import { replaceCookies } from './browser-jar';
import { describeNotesContract } from './notes-api.contract';
import { describeSessionContract, type MakeContractTarget } from './session-api.contract';

const origin = 'http://localhost';
const server = setupServer();

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());

function copyCookies(from: CookieJar, to: CookieJar): void {
  to.clear();
  to.store(from.list().map(toSetCookie), origin);
}

const mockTarget: MakeContractTarget = async ({ session }) => {
  const clock = createTestClock();
  const mockApi = createMockApi({ session, clock });
  server.resetHandlers(...mockApi.handlers);

  return {
    browser() {
      const jar = createCookieJar({ now: () => clock.now() });
      return {
        origin,
        async fetch(path, init) {
          copyCookies(jar, mockApi.cookies);
          try {
            return await fetch(`${origin}${path}`, init);
          } finally {
            copyCookies(mockApi.cookies, jar);
          }
        },
        cookies: () => jar.list(),
        replaceCookies: (pairs) => replaceCookies(jar, pairs, origin),
      };
    },
    advance: (ms) => clock.advance(ms),
    close: async () => {
      server.resetHandlers();
    },
  };
};

describeSessionContract('MSW mock', mockTarget);
describeNotesContract('MSW mock', mockTarget);
