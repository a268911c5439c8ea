import { paths, safeNext } from '../../lib/paths';
import { isSignOutReason, type SignOutReason } from './sign-out-reason';

/** What a login page address carries: why the user is there, and where to go after signing in. */
export interface LoginSearch {
  reason?: SignOutReason;
  next?: string;
}

/** `/login?reason=idle&next=%2Faccount`; `next` is left out when it is home or unsafe. */
export function loginHref({ reason, next }: LoginSearch = {}): string {
  const params = new URLSearchParams();
  if (reason) params.set('reason', reason);
  const target = safeNext(next);
  if (target !== paths.home) params.set('next', target);
  const query = params.toString();
  return query ? `${paths.login}?${query}` : paths.login;
}

/**
 * The reverse of `loginHref`, for a login page's query: `next` is always a safe same-origin path
 * (home when missing or unsafe), and an unknown `reason` is none.
 */
export function readLoginSearch(search: URLSearchParams | string): { reason?: SignOutReason; next: string } {
  const params = new URLSearchParams(search);
  const reason = params.get('reason');
  return { reason: isSignOutReason(reason) ? reason : undefined, next: safeNext(params.get('next')) };
}
