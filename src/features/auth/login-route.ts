import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from 'react-router';
import { usernameProblem } from '../../../shared/credentials';
import type { AuthStore } from './auth-store';
import { readLoginSearch } from './login-url';

export interface LoginError {
  kind: 'invalid' | 'rate_limited' | 'bad_request' | 'network' | 'server';
  message: string;
  field?: 'username' | 'password';
  /** For `rate_limited`: when a new attempt is accepted, as local `Date.now()` time. */
  retryAt?: number;
  /** For `rate_limited`: the server's `Retry-After`, in seconds. */
  retryAfterSeconds?: number;
}

export function loginLoader(auth: AuthStore) {
  return async ({ request }: LoaderFunctionArgs) => {
    await auth.ready;
    const { next, reason } = readLoginSearch(new URL(request.url).searchParams);
    if (auth.getState().status === 'signed-in') throw redirect(next);
    return { next, reason, policy: await auth.getPolicy() };
  };
}

export function loginAction(auth: AuthStore) {
  return async ({ request }: ActionFunctionArgs): Promise<{ error: LoginError } | Response> => {
    const form = await request.formData();
    const username = String(form.get('username') ?? '');
    const password = String(form.get('password') ?? '');
    const { next } = readLoginSearch(new URL(request.url).searchParams);
    // The server's own rule, checked here too so a refused name needs no round trip.
    const problem = usernameProblem(username);
    if (problem) return { error: { kind: 'bad_request', message: problem, field: 'username' } };
    const result = await auth.signIn({ username, password });
    if (result.ok) return redirect(next);
    switch (result.status) {
      case 0:
        return {
          error: { kind: 'network', message: 'The server cannot be reached. Check your connection and try again.' },
        };
      case 401:
        return { error: { kind: 'invalid', message: 'The username or password is wrong.' } };
      case 429: {
        const seconds = result.error.retryAfterSeconds ?? 60;
        return {
          error: {
            kind: 'rate_limited',
            message: 'Too many failed attempts.',
            retryAt: Date.now() + seconds * 1000,
            retryAfterSeconds: seconds,
          },
        };
      }
      case 400: {
        const field =
          result.error.field === 'username' || result.error.field === 'password' ? result.error.field : undefined;
        return { error: { kind: 'bad_request', message: result.error.message, field } };
      }
      default:
        return { error: { kind: 'server', message: 'Something went wrong on the server. Please try again.' } };
    }
  };
}
