import { act, fireEvent, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { settle, signInThroughApi, until } from '../../test/support/app-harness';
import { startApp } from './first-load';

/** What `startApp` leaves to stop: the app of each test, unmounted after it. */
const running: (() => void)[] = [];
afterEach(() => {
  for (const stop of running.splice(0)) act(() => stop());
});

/** A first load of `path` in this document (jsdom's address moves to it first). */
async function firstLoad(path: string) {
  history.replaceState(null, '', path);
  const container = document.body.appendChild(document.createElement('div'));
  const stop = await act(() => startApp(container, { mockApi: false }));
  running.push(stop);
  return within(container);
}

const here = () => location.pathname + location.search;

async function signIn(page: ReturnType<typeof within>, username: string, password: string) {
  fireEvent.change(page.getByLabelText('Username'), { target: { value: username } });
  fireEvent.change(page.getByLabelText('Password'), { target: { value: password } });
  fireEvent.click(page.getByRole('button', { name: 'Sign in' }));
  await settle();
}

// Each test's first hand-over imports the router chunk (react-router and every route) through Vite.
describe('a first load of the sign-in page', { timeout: 20_000 }, () => {
  it('shows the page without the router, then hands over to it at next, focus on the heading', async () => {
    const page = await firstLoad('/login?reason=idle&next=%2Faccount');
    expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeInTheDocument();
    expect(page.getByRole('link', { name: 'Skip to content' })).toBeInTheDocument();
    await until(() => page.queryByRole('status')?.textContent?.includes('inactivity') ?? false, 'the reason');

    const entries = history.length;
    await signIn(page, 'test', 'test_secret');
    await until(() => page.queryByRole('heading', { name: 'Your account' }) !== null, 'the account page');
    // `next` replaced the login entry: Back cannot return to the sign-in page.
    expect(here()).toBe('/account');
    expect(history.length).toBe(entries);
    expect(page.getByRole('heading', { level: 1 })).toHaveFocus();
    expect(page.getByRole('button', { name: 'Sign out' })).toBeInTheDocument();
  });

  it('says why a sign-in failed and stays on the page', async () => {
    const page = await firstLoad('/login');
    await signIn(page, 'test', 'wrong');
    await until(() => page.queryByRole('alert') !== null, 'the error');
    expect(page.getByRole('alert')).toHaveTextContent('The username or password is wrong.');
    expect(here()).toBe('/login');
  });

  it('goes straight to next when someone is signed in already', async () => {
    await signInThroughApi('alice');
    const page = await firstLoad('/login?next=%2Faccount');
    await until(() => page.queryByRole('heading', { name: 'Your account' }) !== null, 'the account page');
    expect(here()).toBe('/account');
    expect(page.queryByRole('heading', { name: 'Sign in' })).not.toBeInTheDocument();
  });

  it('follows a sign-in in another tab to where it was headed', async () => {
    const waiting = await firstLoad('/login?next=%2Faccount');
    // Another tab: the shared cookie jar gets its session, and it tells the others as auth-store.ts does.
    await signInThroughApi('alice');
    const otherTab = new BroadcastChannel('idle-session-sign-in');
    otherTab.postMessage({ type: 'signed-in' });
    otherTab.close();
    await until(() => waiting.queryByRole('heading', { name: 'Your account' }) !== null, 'the account page');
    expect(here()).toBe('/account');
  });

  it('signs out as the router does: back to a sign-in page, now a route', async () => {
    const page = await firstLoad('/login');
    await signIn(page, 'test', 'test_secret');
    await until(() => page.queryByRole('button', { name: 'Sign out' }) !== null, 'the home page');
    fireEvent.click(page.getByRole('button', { name: 'Sign out' }));
    await until(() => page.queryByRole('heading', { name: 'Sign in' }) !== null, 'the sign-in page');
    expect(here()).toBe('/login?reason=signed-out');
  });
});
