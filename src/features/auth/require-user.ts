import { redirect } from 'react-router';
import type { AuthStore } from './auth-store';
import { loginHref } from './login-url';

/** For protected loaders: the signed-in state, or a redirect to the login page that comes back here. */
export async function requireUser(auth: AuthStore, request: Request) {
  await auth.ready;
  const state = auth.getState();
  if (state.status !== 'signed-in') {
    const url = new URL(request.url);
    throw redirect(loginHref({ next: url.pathname + url.search + url.hash }));
  }
  return state;
}
