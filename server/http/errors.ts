import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ApiError, ErrorCode } from '../../shared/contract';

/**
 * Every API error goes out through here, so every error has the same `{ error, message, requestId }`
 * shape (the id a user can quote, request-id.ts).
 */
export function errorResponse(
  c: Context,
  status: ContentfulStatusCode,
  error: ErrorCode,
  message: string,
  extra: Omit<ApiError, 'error' | 'message'> = {},
): Response {
  c.set('errorCode', error);
  const requestId = c.get('requestId') as string | undefined;
  return c.json({ error, message, ...extra, ...(requestId ? { requestId } : {}) } satisfies ApiError, status);
}

/**
 * 401 `reauth_required`: the session is live, but what was asked needs the password entered in
 * it recently (REAUTH_WINDOW); `POST /api/session/reauth`, then ask again.
 */
export function reauthRequiredResponse(c: Context): Response {
  return errorResponse(c, 401, 'reauth_required', 'Enter your password again to do this.');
}

/**
 * 401 for a request without a live session: every protected route answers the same, with
 * `session_revoked` when the user ended this session from another one (the client says so).
 */
export function unauthenticatedResponse(c: Context, revoked = false): Response {
  return revoked
    ? errorResponse(c, 401, 'session_revoked', 'Your session was ended from another device.')
    : errorResponse(c, 401, 'unauthenticated', 'You are not signed in, or your session has ended.');
}
