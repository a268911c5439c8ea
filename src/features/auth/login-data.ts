/**
 * What the login page needs, without react-router: the first load shows it without the router
 * (src/app/first-load.tsx), a sign-out shows it as a route (login-route.tsx). Both read it here.
 */
import type { SessionPolicy } from '../../../shared/contract';
import { isServerUnreachable, type ApiResult } from '../../lib/api';
import type { AuthStore } from './auth-store';
import { readLoginSearch } from './login-url';
import type { SignOutReason } from './sign-out-reason';

export interface LoginError {
  kind: 'invalid' | 'rate_limited' | 'bad_request' | 'network' | 'server';
  message: string;
  field?: 'username' | 'password';
  /** For `rate_limited`: when a new attempt is accepted, as local `Date.now()` time. */
  retryAt?: number;
  /** For `rate_limited`: the server's `Retry-After`, in seconds. */
  retryAfterSeconds?: number;
}

export interface LoginPageData {
  /** Where to go after signing in: always a safe same-origin path. */
  next: string;
  reason?: SignOutReason;
  policy?: SessionPolicy;
}

/**
 * The login page at `search`, once the start-up check has answered: `signedIn` when someone
 * already is (the page then goes straight to `next`), else what the page shows.
 */
export async function loginPageData(
  auth: AuthStore,
  search: string,
): Promise<({ signedIn: true } & Pick<LoginPageData, 'next'>) | ({ signedIn: false } & LoginPageData)> {
  await auth.ready;
  const { next, reason } = readLoginSearch(search);
  if (auth.getState().status === 'signed-in') return { signedIn: true, next };
  return { signedIn: false, next, reason, policy: await auth.getPolicy() };
}

/** What the login page says about a failed sign-in. */
export function signInError(result: Exclude<ApiResult<unknown>, { ok: true }>): LoginError {
  if (isServerUnreachable(result)) {
    const message =
      result.status === 0
        ? 'The server cannot be reached. Check your connection and try again.'
        : 'The server is unavailable right now. Please try again in a moment.';
    return { kind: 'network', message };
  }
  switch (result.status) {
    case 401:
      return { kind: 'invalid', message: 'The username or password is wrong.' };
    case 429: {
      const seconds = result.error.retryAfterSeconds ?? 60;
      return {
        kind: 'rate_limited',
        message: 'Too many failed attempts.',
        retryAt: Date.now() + seconds * 1000,
        retryAfterSeconds: seconds,
      };
    }
    case 400: {
      const field =
        result.error.field === 'username' || result.error.field === 'password' ? result.error.field : undefined;
      return { kind: 'bad_request', message: result.error.message, field };
    }
    default:
      return { kind: 'server', message: 'Something went wrong on the server. Please try again.' };
  }
}
