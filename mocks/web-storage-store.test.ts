import { setupServer } from 'msw/node';
import { afterEach, describe, expect, it } from 'vitest';
import { createMockApi } from './handlers';

// Not the shared `server` of mocks/node: each "page load" here gets its own mock API instance.
const json = { 'Content-Type': 'application/json' };

const signInAsAda = () =>
  fetch('/api/session', {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ username: 'ada', password: 'ada_secret' }),
  });

async function withPage<T>(storage: Storage, run: () => Promise<T>): Promise<T> {
  const page = setupServer(...createMockApi({ storage }).handlers);
  page.listen({ onUnhandledRequest: 'error' });
  try {
    return await run();
  } finally {
    page.close();
  }
}

/** The setup file's shared MSW server would answer first: set it aside while `run` goes. */
async function asideFromSharedServer(run: () => Promise<void>) {
  const { server: sharedServer } = await import('./node');
  sharedServer.close();
  try {
    await run();
  } finally {
    sharedServer.listen({ onUnhandledRequest: 'error' });
  }
}

describe('mock mode kept in Web Storage', () => {
  afterEach(() => localStorage.clear());

  it('keeps the user signed in across a reload (a new mock API on the same storage)', () =>
    asideFromSharedServer(async () => {
      const signIn = await withPage(localStorage, () => signInAsAda());
      expect(signIn.status).toBe(201);
      const afterReload = await withPage(localStorage, () => fetch('/api/session'));
      expect(afterReload.status).toBe(200);
      expect((await afterReload.json()).user).toEqual({ username: 'ada' });
      // Another tab signs out: this one's next request is 401.
      await withPage(localStorage, () => fetch('/api/session', { method: 'DELETE' }));
      expect((await withPage(localStorage, () => fetch('/api/session'))).status).toBe(401);
    }));

  it('never puts the session cookie in document.cookie', () =>
    asideFromSharedServer(async () => {
      await withPage(localStorage, () => signInAsAda());
      expect(document.cookie).toBe('');
    }));
});
