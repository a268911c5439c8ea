/** The contract's target on the real server over HTTP, with a test clock, on a store of your choice. */
import { createCookieJar } from '../../mocks/cookie-jar';
import type { Store } from '../../server/stores/store';
import { createTestClock, startTestServer } from '../support/test-server';
import { replaceCookies } from './browser-jar';
import type { MakeContractTarget } from './session-api.contract';

/** A target per test: a fresh store from `makeStore` (default: a memory store), closed with the server. */
export function serverTargetOn(makeStore?: () => Promise<Store>): MakeContractTarget {
  return async ({ session }) => {
    const clock = createTestClock();
    const server = await startTestServer({ session, clock, ...(makeStore ? { store: await makeStore() } : {}) });
    return {
      browser() {
        const jar = createCookieJar({ now: () => clock.now() });
        return {
          origin: server.url,
          async fetch(path, init = {}) {
            const url = `${server.url}${path}`;
            const headers = new Headers(init.headers);
            // As a browser does on every request that may change something.
            const method = init.method ?? 'GET';
            if (method !== 'GET' && method !== 'HEAD' && !headers.has('Origin')) headers.set('Origin', server.url);
            const cookie = jar.header(url);
            if (cookie !== undefined) headers.set('Cookie', cookie);
            const response = await fetch(url, { ...init, headers, redirect: 'manual' });
            jar.store(response.headers.getSetCookie(), url);
            return response;
          },
          cookies: () => jar.list(),
          replaceCookies: (pairs) => replaceCookies(jar, pairs, server.url),
        };
      },
      advance: (ms) => clock.advance(ms),
      close: async () => {
        await server.close();
        await server.store.close();
      },
    };
  };
}
