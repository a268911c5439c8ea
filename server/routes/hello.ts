import { Hono } from 'hono';
import type { HelloResponse } from '../../shared/contract';
import type { CookieSecure } from '../session/policy';
import { readSessionCookie } from '../http/cookies';
import type { AppEnv } from '../http/env';
import { unauthenticatedResponse } from '../http/errors';
import type { Sessions } from '../session/session-lifecycle';

/** `/api/hello`: the protected resource. Reading it does not extend the session. */
export function helloRoutes(sessions: Sessions, cookieMode: CookieSecure) {
  return new Hono<AppEnv>().get('/', async (c) => {
    const current = await sessions.resume(readSessionCookie(c, cookieMode));
    if (!current.live) return unauthenticatedResponse(c, current.revoked);
    return c.json({ message: 'Hello World!' } satisfies HelloResponse);
  });
}
