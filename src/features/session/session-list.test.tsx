import { fireEvent, screen } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import { toSetCookie } from '../../../mocks/cookie-jar';
import { mockApi } from '../../../mocks/node';
import { advance, renderApp, settle, signInThroughApi, until, useFakeClock } from '../../../test/support/app-harness';
import { formatTimeAgo } from '../../lib/duration';

/** A second browser of the same user: a sign-in that leaves the mock's own cookies (this browser's) alone. */
async function signInElsewhere(username = 'test') {
  const saved = mockApi.cookies.list();
  await signInThroughApi(username);
  mockApi.cookies.clear();
  for (const cookie of saved) mockApi.cookies.store([toSetCookie(cookie)], 'http://localhost');
}

describe('the account page lists your sessions', () => {
  beforeEach(() => useFakeClock());

  it('marks this browser, and says so when it is the only one', async () => {
    await signInThroughApi();
    renderApp('/account');
    await until(() => screen.queryByText('This browser') !== null, 'the session list');
    expect(screen.getByRole('heading', { name: 'Where you are signed in' })).toBeInTheDocument();
    expect(screen.getByText('You are signed in only in this browser.')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Sign out everywhere else' })).toBeNull();
    expect(screen.getByText(/last active just now/)).toBeInTheDocument();
  });
});

/** Types into the dialog's Password field and submits its form, as Enter would. */
async function typePassword(password: string) {
  const field = screen.getByLabelText('Password');
  fireEvent.change(field, { target: { value: password } });
  fireEvent.submit(field.closest('form')!);
  await settle();
}

describe('recent sign-in on the account page', () => {
  beforeEach(() => {
    useFakeClock();
    // Two seconds, so a test reaches "signed in a while ago" without the session idling out.
    mockApi.configure({ reauthWindowMs: 2_000 });
  });

  async function accountWithTwoSessions() {
    await signInElsewhere();
    await signInThroughApi();
    const app = renderApp('/account');
    await until(() => screen.queryByRole('button', { name: 'Sign out everywhere else' }) !== null, 'the list');
    await advance(2_000);
    return app;
  }

  it('asks for the password in a dialog, announces a wrong one, then signs out everywhere else', async () => {
    await accountWithTwoSessions();

    fireEvent.click(screen.getByRole('button', { name: 'Sign out everywhere else' }));
    await until(() => screen.queryByRole('dialog', { name: 'Enter your password again' }) !== null, 'the dialog');
    const dialog = screen.getByRole('dialog', { name: 'Enter your password again' });
    expect(dialog).toHaveAccessibleDescription(/enter your password to sign out everywhere else/);
    const password = screen.getByLabelText('Password');
    expect(password).toHaveFocus();

    await typePassword('wrong');
    await until(() => screen.queryByRole('alert') !== null, 'the error');
    expect(screen.getByRole('alert')).toHaveTextContent('That password is wrong. Try again.');
    expect(password).toHaveAttribute('aria-invalid', 'true');
    expect(password).toHaveAccessibleDescription('That password is wrong. Try again.');
    expect(screen.getByRole('button', { name: 'Sign out everywhere else' })).toBeInTheDocument();

    await typePassword('test_secret');
    await until(() => screen.queryByText('You are signed in only in this browser.') !== null, 'the others ended');
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(screen.getByText('Signed out everywhere else.')).toBeInTheDocument();
  });

  it('changes nothing when the dialog is cancelled with Escape, and says so', async () => {
    await accountWithTwoSessions();

    fireEvent.click(screen.getByRole('button', { name: 'Forget other browsers' }));
    await until(() => screen.queryByRole('dialog') !== null, 'the dialog');
    expect(screen.getByRole('dialog')).toHaveAccessibleDescription(/to forget the other browsers/);
    fireEvent(screen.getByRole('dialog'), new Event('cancel', { cancelable: true }));
    await settle();

    expect(screen.queryByRole('dialog')).toBeNull();
    expect(screen.getByText('Nothing was changed.')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Sign out everywhere else' })).toBeInTheDocument();
  });

  it('forgets the other browsers after the password, with Sign out everywhere else when asked', async () => {
    await accountWithTwoSessions();

    fireEvent.click(screen.getByRole('checkbox', { name: 'Also forget the other browsers' }));
    fireEvent.click(screen.getByRole('button', { name: 'Sign out everywhere else' }));
    await until(() => screen.queryByRole('dialog') !== null, 'the dialog');
    await typePassword('test_secret');
    await until(() => screen.queryByText(/forgot the other browsers/) !== null, 'the announcement');

    expect(mockApi.logs.some((line) => line.includes('"devices_forgotten"'))).toBe(true);
  });
});

describe('formatTimeAgo', () => {
  it('says just now under a minute, then minutes, hours and days ago', () => {
    expect(formatTimeAgo(59_999)).toBe('just now');
    expect(formatTimeAgo(125_000)).toBe('2 minutes ago');
    expect(formatTimeAgo(3_600_000)).toBe('1 hour ago');
    expect(formatTimeAgo(2 * 86_400_000)).toBe('2 days ago');
  });
});
