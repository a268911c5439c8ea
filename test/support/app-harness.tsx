import { act, render } from '@testing-library/react';
import { createMocks } from 'react-idle-timer';
import { vi } from 'vitest';
import { server } from '../../mocks/node';
import { App } from '../../src/app/app';
import { createAppInstance } from '../../src/app/create-app';

/**
 * Fake timers for session tests: timers and `Date` move only when a test says so. Promise jobs,
 * `setImmediate` and I/O stay real, so MSW and Web Crypto (which finishes off-thread) still run.
 * react-idle-timer cached the real timers at import; `createMocks()` points it at the fake ones.
 */
export function useFakeClock(start = new Date('2026-01-05T09:00:00Z')) {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'], now: start });
  createMocks();
}

/** Lets pending I/O and promise jobs finish without moving the clock. */
export async function settle(turns = 8) {
  await act(async () => {
    for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => setImmediate(resolve));
  });
}

/**
 * How long, in real time, a harness wait may take before its test fails. Generous: on a loaded
 * machine the first render of a lazy page once took over 5 s (decision 030). A limit, not a wait:
 * each returns as soon as its condition holds. Below the 20 s test timeout, so a failure names
 * what it waited for.
 */
const realTimeLimitMs = 15_000;

/** Requests the mock server has received and not yet answered (a network error ends one too). */
const pending = new Set<string>();
server.events.on('request:start', ({ requestId }) => void pending.add(requestId));
for (const event of ['request:end', 'response:mocked', 'response:bypass', 'unhandledException'] as const) {
  server.events.on(event, ({ requestId }) => void pending.delete(requestId));
}

/**
 * Moves the clock by `ms` in small steps. Between steps every request in flight is answered
 * first: the mock network is fast, and a slow test machine cannot stretch a request over
 * seconds of fake time.
 */
export async function advance(ms: number, step = 250) {
  for (let left = ms; left > 0; left -= step) {
    await act(async () => {
      vi.advanceTimersByTime(Math.min(step, left));
    });
    await settle(3);
    const giveUpAt = performance.now() + realTimeLimitMs; // a request stuck longer fails its test anyway
    while (pending.size > 0 && performance.now() < giveUpAt) await settle(1);
    await settle(2);
  }
}

/**
 * Polls `check` while letting I/O finish (the fake clock stays still); fails with `what` when it
 * does not hold within `limitMs` of real time. A limit, not a wait: it returns as soon as it holds.
 * `check` may ask the mock server (async): what a request changed there is known only once its
 * answer came, and the session id's digest (Web Crypto) finishes off-thread, in real time.
 */
export async function until(check: () => boolean | Promise<boolean>, what = 'condition', limitMs = realTimeLimitMs) {
  const giveUpAt = performance.now() + limitMs; // performance.now is not faked
  while (performance.now() < giveUpAt) {
    if (await check()) return;
    await settle(2);
    await act(async () => {
      // With fake timers, run what is due now; with real ones, give them a moment.
      if (vi.isFakeTimers()) vi.advanceTimersByTime(0);
      else await new Promise((resolve) => setTimeout(resolve, 5));
    });
  }
  if (await check()) return;
  throw new Error(`timed out waiting for ${what}`);
}

/** Signs in through the API, so the mock's cookie jar holds a session as a browser would. */
export async function signInThroughApi(username = 'test') {
  const response = await fetch('/api/session', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password: `${username}_secret` }),
  });
  if (response.status !== 201) throw new Error(`sign-in failed: ${response.status}`);
}

/** Renders one app instance (one browser tab) at `path`. */
export function renderApp(path = '/') {
  const instance = createAppInstance({ initialEntries: [path] });
  const container = document.body.appendChild(document.createElement('div'));
  const view = render(<App auth={instance.auth} router={instance.router} />, { container });
  return {
    ...instance,
    ...view,
    path: () => instance.router.state.location.pathname + instance.router.state.location.search,
  };
}
