import { Hono, type Context } from 'hono';
import type { HelloResponse } from '../../shared/contract';
import type { CookieSecure } from '../session/policy';
import { readSessionCookie } from '../http/cookies';
import type { AppEnv } from '../http/env';
import { unauthenticatedResponse } from '../http/errors';
import type { SessionsOf } from '../session/session-lifecycle';

/** `/api/hello`: the protected resource. Reading it does not extend the session. */
export function helloRoutes(sessionsOf: SessionsOf<Context<AppEnv>>, cookieMode: CookieSecure) {
  return new Hono<AppEnv>().get('/', async (c) => {
    const current = await sessionsOf(c).resume(readSessionCookie(c, cookieMode));
    if (!current.live) return unauthenticatedResponse(c, current.revoked);
    return c.json({ message: 'Hello World!' } satisfies HelloResponse);
  });
}
