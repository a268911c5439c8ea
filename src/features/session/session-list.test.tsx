import { screen } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import { renderApp, signInThroughApi, until, useFakeClock } from '../../../test/support/app-harness';
import { formatTimeAgo } from '../../lib/duration';

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

describe('formatTimeAgo', () => {
  it('says just now under a minute, then minutes, hours and days ago', () => {
    expect(formatTimeAgo(59_999)).toBe('just now');
    expect(formatTimeAgo(125_000)).toBe('2 minutes ago');
    expect(formatTimeAgo(3_600_000)).toBe('1 hour ago');
    expect(formatTimeAgo(2 * 86_400_000)).toBe('2 days ago');
  });
});
