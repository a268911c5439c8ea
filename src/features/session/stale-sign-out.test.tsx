/**
 * Issue 10, item 5: an automatic sign-out ends only the session it is about. A heartbeat sent
 * with the old cookie is in flight; another tab signs in again (a new session, a new cookie);
 * then the heartbeat's 401 arrives. The new session must survive, on the server and in every tab.
 */
import { act, fireEvent, screen } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { SessionResponse } from '../../../shared/contract';
import { server } from '../../../mocks/node';
import { advance, renderApp, signInThroughApi, until, useFakeClock } from '../../../test/support/app-harness';

/** Holds the next heartbeat until `release()`, then answers it as the server answers an ended session. */
function holdNextHeartbeat() {
  let release: () => void = () => {};
  const released = new Promise<void>((resolve) => (release = resolve));
  let arrived = false;
  server.use(
    http.post(
      '*/api/session/heartbeat',
      async () => {
        arrived = true;
        await released;
        return HttpResponse.json(
          { error: 'unauthenticated', message: 'You are not signed in, or your session has ended.' },
          { status: 401 },
        );
      },
      { once: true },
    ),
  );
  return { release, arrived: () => arrived };
}

/** DELETE /api/session requests from now on, with their query. */
function recordSignOuts() {
  const seen: string[] = [];
  server.events.on('request:start', ({ request }) => {
    const url = new URL(request.url);
    if (request.method === 'DELETE' && url.pathname === '/api/session') seen.push(url.search);
  });
  return seen;
}

const currentSessionId = async () => ((await (await fetch('/api/session')).json()) as SessionResponse).session.id;

describe('a stale automatic sign-out', () => {
  beforeEach(() => useFakeClock());

  it('a 401 for the old cookie that arrives after a new sign-in in another tab ends nothing new', async () => {
    await signInThroughApi();
    const oldId = await currentSessionId();
    const a = renderApp('/');
    const b = renderApp('/');
    await until(() => screen.queryAllByRole('heading', { level: 1 }).length === 2, 'both tabs to load');
    await advance(1_000); // leader election
    const heartbeat = holdNextHeartbeat();
    const signOuts = recordSignOuts();

    fireEvent.pointerMove(a.container);
    // The trailing edge, one interval after the start-up check (not `advance`: it would wait for the answer).
    await act(async () => void vi.advanceTimersByTime(10_500));
    await until(heartbeat.arrived, 'the heartbeat to be in flight');
    // Meanwhile, tab B signs in again: a new session, and the browser's cookie is now its.
    await act(() => b.auth.signIn({ username: 'test', password: 'test_secret' }));
    const newId = await currentSessionId();
    expect(newId).not.toBe(oldId);

    heartbeat.release();
    await advance(2_000);

    // The new session lives on the server, and both tabs are signed in with it.
    expect(await currentSessionId()).toBe(newId);
    for (const tab of [a, b]) {
      expect(tab.path()).toBe('/');
      expect(tab.auth.getState()).toMatchObject({ status: 'signed-in', sessionId: newId });
    }
    // Any sign-out the late 401 caused named the old session, which the server ignores for the new cookie.
    expect(signOuts.every((search) => search === `?id=${oldId}`)).toBe(true);
  });
});
