import { act, fireEvent, screen } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { server } from '../../../mocks/node';
import { advance, renderApp, signInThroughApi, until, useFakeClock } from '../../../test/support/app-harness';

/** Requests the app sends from now on, as `METHOD /path`. */
function recordRequests() {
  const seen: string[] = [];
  const listener = ({ request }: { request: Request }) => {
    seen.push(`${request.method} ${new URL(request.url).pathname}`);
  };
  server.events.on('request:start', listener);
  return { seen, stop: () => server.events.removeListener('request:start', listener) };
}

async function tabs(...paths: string[]) {
  await signInThroughApi();
  const apps = paths.map((path) => renderApp(path));
  await until(() => screen.queryAllByRole('heading', { level: 1 }).length === paths.length, 'the tabs to load');
  await advance(1_000); // leader election
  return apps.map((app) => ({ ...app, signOut: vi.spyOn(app.auth, 'signOut') }));
}

/** The server ends the session behind the app's back (another device, an admin, a restart of a memory store). */
async function endSessionOnServer() {
  await act(() => fetch('/api/session', { method: 'DELETE' }));
}

describe('a 401 ends the session by one path', () => {
  beforeEach(() => useFakeClock());

  it('a heartbeat 401 ends it once in the tab that sent it, and other tabs follow that tab', async () => {
    const [a, b] = await tabs('/account', '/account');
    await endSessionOnServer();
    const requests = recordRequests();
    fireEvent.pointerMove(a.container);
    await advance(10_500);
    await until(() => a.path().startsWith('/login') && b.path().startsWith('/login'), 'both tabs to sign out');
    await advance(1_000);
    requests.stop();
    expect(requests.seen.filter((request) => request === 'POST /api/session/heartbeat')).toHaveLength(1);
    expect(requests.seen.filter((request) => request === 'DELETE /api/session')).toHaveLength(1);
    // Whichever tab leads sent the heartbeat: it signs out once, the other follows its message.
    const calls = [a, b].map((tab) => tab.signOut.mock.calls);
    const sessionId = a.auth.getState().status === 'signed-out' ? expect.any(String) : undefined;
    expect(calls).toContainEqual([['expired', { sessionId }]]);
    expect(calls).toContainEqual([['expired', { fromOtherTab: true, sessionId }]]);
    expect(a.path()).toBe('/login?reason=expired&next=%2Faccount');
    expect(b.path()).toBe('/login?reason=expired&next=%2Faccount');
  });

  it('a 401 on a heartbeat retry ends it once, and nothing is sent after it', async () => {
    const [app] = await tabs('/account');
    server.use(http.post('*/api/session/heartbeat', () => HttpResponse.error(), { once: true }));
    const requests = recordRequests();
    fireEvent.pointerMove(app.container);
    await advance(9_500); // the trailing edge, one interval (10 s) after the start-up check, fails
    await until(() => screen.queryByText(/Reconnecting/) !== null, 'the reconnecting notice');
    await endSessionOnServer();
    await advance(1_000); // the retry, 1 s after the failure, gets 401
    await until(() => app.path().startsWith('/login'), 'the login page');
    await advance(20_000);
    requests.stop();
    expect(requests.seen.filter((request) => request === 'POST /api/session/heartbeat')).toHaveLength(2);
    expect(app.signOut.mock.calls).toEqual([['expired', { sessionId: expect.any(String) }]]);
    expect(app.path()).toBe('/login?reason=expired&next=%2Faccount');
  });

  it('a 401 on any other request still ends it, through the API client', async () => {
    const [app] = await tabs('/account');
    await endSessionOnServer();
    act(() => void app.router.navigate('/')); // the home page loads GET /api/hello
    await until(() => app.path().startsWith('/login'), 'the login page');
    expect(app.signOut.mock.calls).toEqual([['expired']]);
    expect(app.path()).toMatch(/^\/login\?reason=expired&/);
  });
});
