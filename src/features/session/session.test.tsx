import { act, fireEvent, screen, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { beforeEach, describe, expect, it } from 'vitest';
import { server } from '../../../mocks/node';
import { advance, renderApp, settle, signInThroughApi, until, useFakeClock } from '../../../test/support/app-harness';

// The mock runs the real server with its defaults: 60 s idle, 30 s warning, heartbeat every 10 s.
const idleMs = 60_000;
const warningMs = 30_000;

/** Asks the mock server directly, inside act: a heartbeat answer may land meanwhile. */
async function serverSession(): Promise<Response> {
  let response!: Response;
  await act(async () => {
    response = await fetch('/api/session');
  });
  return response;
}

async function serverSessionStatus(): Promise<number> {
  return (await serverSession()).status;
}

async function serverIdleExpiresInMs(): Promise<number> {
  return (await (await serverSession()).json()).session.idleExpiresInMs;
}

function countHeartbeats() {
  const counter = {
    count: 0,
    stop: () => server.events.removeListener('request:start', listener),
  };
  const listener = ({ request }: { request: Request }) => {
    if (request.url.endsWith('/api/session/heartbeat')) counter.count++;
  };
  server.events.on('request:start', listener);
  return counter;
}

async function startSignedIn(path = '/account') {
  await signInThroughApi();
  const app = renderApp(path);
  await until(() => screen.queryAllByRole('heading', { level: 1 }).length > 0, 'the page to load');
  await advance(1_000); // leader election; and activity is never in the very millisecond of the load
  return app;
}

function work() {
  fireEvent.pointerMove(document, { clientX: Math.random() * 100, clientY: 10 });
}

describe('the session for an active user', () => {
  beforeEach(() => useFakeClock());

  it('never warns or signs out a user who keeps working for three idle periods', async () => {
    const app = await startSignedIn();
    for (let elapsed = 0; elapsed < 3 * idleMs; elapsed += 5_000) {
      work();
      await advance(5_000);
      expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument();
    }
    expect(app.path()).toBe('/account');
    expect(await serverSessionStatus()).toBe(200);
  });

  it('sends heartbeats at most once per heartbeat interval, however busy the user is', async () => {
    await startSignedIn();
    const heartbeats = countHeartbeats();
    for (let elapsed = 0; elapsed < 60_000; elapsed += 100) {
      work();
      await advance(100, 100);
    }
    // 60 s of constant activity with a 10 s interval: 6 heartbeats, give or take the edges.
    expect(heartbeats.count).toBeGreaterThanOrEqual(5);
    expect(heartbeats.count).toBeLessThanOrEqual(7);
  });
});

describe('the session for an idle user', () => {
  beforeEach(() => useFakeClock());

  it('warns at idle - warning and signs out at idle after the last activity, on the server too', async () => {
    const app = await startSignedIn('/account');
    await advance(5_000);
    work();
    const lastActivity = Date.now();

    await advance(lastActivity + idleMs - warningMs - 1_000 - Date.now());
    expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument();
    await advance(2_000);
    const dialog = screen.getByRole('alertdialog', { name: 'Your session is about to expire' });
    expect(within(dialog).getByRole('button', { name: 'Stay signed in' })).toHaveFocus();
    expect(dialog).toHaveTextContent(/0:(29|30)/);

    await advance(lastActivity + idleMs - 1_000 - Date.now());
    expect(app.path()).toBe('/account');
    await advance(2_000);
    await until(() => app.path().startsWith('/login'), 'the login page');
    expect(app.path()).toBe('/login?reason=idle&next=%2Faccount');
    await until(
      () => /signed out after 1 minute of inactivity/.test(screen.getByRole('status').textContent ?? ''),
      'the inactivity message',
    );
    expect(await serverSessionStatus()).toBe(401);
  });

  it('counts the warning down once a second', async () => {
    await startSignedIn();
    await advance(idleMs - warningMs + 500);
    const dialog = screen.getByRole('alertdialog');
    const first = within(dialog).getByText(/^\d:\d\d$/).textContent;
    await advance(1_000);
    const second = within(dialog).getByText(/^\d:\d\d$/).textContent;
    expect(first).not.toBe(second);
  });

  it('does not extend the session on mere activity during the warning', async () => {
    const app = await startSignedIn();
    await advance(idleMs - warningMs + 1_000);
    expect(screen.getByRole('alertdialog')).toBeInTheDocument();
    for (let i = 0; i < 10; i++) {
      work();
      await advance(3_000);
    }
    await until(() => app.path().startsWith('/login?reason=idle'), 'the idle sign-out');
  });

  it('Stay signed in moves the server deadline and closes the warning', async () => {
    const app = await startSignedIn();
    await advance(idleMs - warningMs + 5_000);
    fireEvent.click(screen.getByRole('button', { name: 'Stay signed in' }));
    await until(() => screen.queryByRole('alertdialog') === null, 'the warning to close');
    // The warning closes as the heartbeat leaves; the server has it once it is answered.
    await until(async () => (await serverIdleExpiresInMs()) > idleMs - 1_000, 'the server to extend the session');
    // The original deadline passes without a sign-out.
    await advance(warningMs);
    expect(app.path()).toBe('/account');
    expect(await serverSessionStatus()).toBe(200);
  });
});

describe('the session for an idle user', () => {
  beforeEach(() => useFakeClock());

  it('Escape means stay signed in', async () => {
    await startSignedIn();
    await advance(idleMs - warningMs + 1_000);
    const dialog = screen.getByRole('alertdialog');
    fireEvent(dialog, new Event('cancel', { cancelable: true }));
    await until(() => screen.queryByRole('alertdialog') === null, 'the warning to close');
    await until(async () => (await serverIdleExpiresInMs()) > idleMs - 1_000, 'the server to extend the session');
  });

  it('Sign out in the warning ends the session with reason signed-out', async () => {
    const app = await startSignedIn('/account');
    await advance(idleMs - warningMs + 1_000);
    fireEvent.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Sign out' }));
    await until(() => app.path().startsWith('/login'), 'the login page');
    expect(app.path()).toBe('/login?reason=signed-out&next=%2Faccount');
    await until(async () => (await serverSessionStatus()) === 401, 'the server to end the session');
  });
});

describe('a tab whose timers were frozen', () => {
  beforeEach(() => useFakeClock());

  it('shows the signed-out state as soon as it runs again, never a stale countdown', async () => {
    const app = await startSignedIn('/account');
    // The laptop sleeps: the clock jumps past the deadline and no timer has fired.
    act(() => void vi.setSystemTime(Date.now() + idleMs + 5_000));
    act(() => void document.dispatchEvent(new Event('visibilitychange')));
    await until(() => app.path().startsWith('/login'), 'the login page');
    expect(app.path()).toBe('/login?reason=idle&next=%2Faccount');
    expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument();
  });

  it('opens the warning with the true time left when woken inside the warning period', async () => {
    await startSignedIn();
    act(() => void vi.setSystemTime(Date.now() + idleMs - 10_000));
    act(() => void window.dispatchEvent(new Event('focus')));
    await settle();
    expect(screen.getByRole('alertdialog')).toHaveTextContent(/0:(09|10)/);
  });
});

describe('heartbeat failures', () => {
  beforeEach(() => useFakeClock());

  // A 503 store_unavailable (the server's store is down or hung, decision 018) is no answer either.
  const storeUnavailable = () =>
    HttpResponse.json(
      { error: 'store_unavailable', message: 'The store is down.', retryAfterSeconds: 2 },
      { status: 503, headers: { 'Retry-After': '2' } },
    );
  it.each([
    ['the network fails', () => HttpResponse.error()],
    ['the server answers 503 store_unavailable', storeUnavailable],
  ])('does not sign out while %s for less than the time left, and says it is reconnecting', async (_, answer) => {
    const app = await startSignedIn();
    server.use(http.post('*/api/session/heartbeat', answer));
    work();
    await advance(10_500);
    await until(() => screen.queryByText(/Reconnecting/) !== null, 'the reconnecting notice');
    server.resetHandlers();
    await advance(15_000);
    expect(screen.queryByText(/Reconnecting/)).not.toBeInTheDocument();
    expect(app.path()).toBe('/account');
    expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument();
    expect(await serverSessionStatus()).toBe(200);
  });

  it('ends the session with reason expired when any API call gets 401', async () => {
    const app = await startSignedIn('/account');
    await act(() => fetch('/api/session', { method: 'DELETE' })); // the server ends it behind the app's back
    work();
    await advance(10_500);
    await until(() => app.path().startsWith('/login'), 'the login page');
    expect(app.path()).toBe('/login?reason=expired&next=%2Faccount');
    expect(screen.getByText(/Your session has ended/)).toBeInTheDocument();
  });
});

describe('several tabs', () => {
  beforeEach(() => useFakeClock());

  async function twoTabs(pathA = '/', pathB = '/account') {
    await signInThroughApi();
    const a = renderApp(pathA);
    const b = renderApp(pathB);
    await until(() => screen.queryAllByRole('heading', { level: 1 }).length === 2, 'both tabs to load');
    await advance(1_000); // leader election
    return { a, b };
  }

  it('activity in one tab keeps the other from warning', async () => {
    const { a, b } = await twoTabs();
    for (let elapsed = 0; elapsed < 2 * idleMs; elapsed += 5_000) {
      fireEvent.keyDown(a.container, { key: 'a' });
      await advance(5_000);
      expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument();
    }
    expect(b.path()).toBe('/account');
  });

  it('Stay signed in in one tab closes the warning in both', async () => {
    const { a, b } = await twoTabs();
    await advance(idleMs - warningMs + 1_000);
    expect(within(a.container).getByRole('alertdialog')).toBeInTheDocument();
    expect(within(b.container).getByRole('alertdialog')).toBeInTheDocument();
    fireEvent.click(within(a.container).getByRole('button', { name: 'Stay signed in' }));
    await until(() => screen.queryAllByRole('alertdialog').length === 0, 'both warnings to close');
    await advance(warningMs);
    expect(a.path()).toBe('/');
    expect(b.path()).toBe('/account');
  });

  it('sign-out in one tab reaches the other', async () => {
    const { a, b } = await twoTabs();
    fireEvent.click(within(a.container).getByRole('button', { name: 'Sign out' }));
    await advance(500);
    expect(a.path()).toBe('/login?reason=signed-out');
    expect(b.path()).toBe('/login?reason=other-tab&next=%2Faccount');
    expect(within(b.container).getByText('You signed out in another tab or window.')).toBeInTheDocument();
  });

  it('sends as many heartbeats with two tabs as with one', async () => {
    async function heartbeatsOver30s(tabs: 1 | 2) {
      await signInThroughApi();
      const apps = Array.from({ length: tabs }, () => renderApp('/'));
      await until(() => screen.queryAllByRole('heading', { level: 1 }).length === tabs, 'tabs to load');
      await advance(1_000);
      const heartbeats = countHeartbeats();
      for (let elapsed = 0; elapsed < 30_000; elapsed += 500) {
        fireEvent.pointerMove(apps[(elapsed / 500) % tabs].container);
        await advance(500);
      }
      await settle(20); // let the last request reach the server before counting
      apps.forEach((app) => app.unmount());
      heartbeats.stop();
      return heartbeats.count;
    }
    const one = await heartbeatsOver30s(1);
    const two = await heartbeatsOver30s(2);
    expect(one).toBeGreaterThan(0);
    expect(two).toBe(one);
  });
});

describe('under React StrictMode (the app always renders in it)', () => {
  beforeEach(() => useFakeClock());

  it('mounts, unmounts and remounts without "Channel is closed" errors or duplicate heartbeats', async () => {
    const app = await startSignedIn();
    const heartbeats = countHeartbeats();
    work();
    await advance(10_000);
    expect(heartbeats.count).toBe(1);
    app.unmount(); // closes react-idle-timer's channel while a message could still be sent
    await advance(15_000);
    heartbeats.stop();
    expect(heartbeats.count).toBe(1);
    // console.error would fail this test in the setup's afterEach.
  });
});

describe('the absolute limit', () => {
  beforeEach(() => useFakeClock());

  it('shows a notice activity cannot dismiss, keeps a working user in until then, and ends the session there', async () => {
    const { mockApi } = await import('../../../mocks/node');
    mockApi.configure({ absoluteTimeoutMs: 150_000 });
    const signedInAt = Date.now();
    const app = await startSignedIn('/account');
    expect(screen.getByText(/Your session ends at .*, whatever you do/)).toBeInTheDocument();
    // Working the whole time: no idle warning, no sign-out before the absolute limit.
    while (Date.now() - signedInAt < 145_000) {
      work();
      await advance(5_000);
      expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument();
      expect(screen.getByText(/whatever you do/)).toBeInTheDocument();
    }
    await advance(signedInAt + 150_000 - 1_000 - Date.now());
    expect(app.path()).toBe('/account');
    await advance(2_000);
    await until(() => app.path().startsWith('/login'), 'the login page');
    expect(app.path()).toBe('/login?reason=absolute&next=%2Faccount');
    expect(screen.getByRole('status')).toHaveTextContent('Your session reached its time limit');
    expect(await serverSessionStatus()).toBe(401);
  });
});
