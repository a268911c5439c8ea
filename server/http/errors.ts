import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ApiError, ErrorCode } from '../../shared/contract';

/** Every API error goes out through here, so every error has the same `{ error, message }` shape. */
export function errorResponse(
  c: Context,
  status: ContentfulStatusCode,
  error: ErrorCode,
  message: string,
  extra: Omit<ApiError, 'error' | 'message'> = {},
): Response {
  return c.json({ error, message, ...extra } satisfies ApiError, status);
}

/** 401 for a request without a live session: every protected route answers the same. */
export function unauthenticatedResponse(c: Context): Response {
  return errorResponse(c, 401, 'unauthenticated', 'You are not signed in, or your session has ended.');
}
