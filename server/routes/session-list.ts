import { Hono, type Context } from 'hono';
import type { SessionListResponse } from '../../shared/contract';
import type { CookieSecure } from '../session/policy';
import { readSessionCookie } from '../http/cookies';
import type { AppEnv } from '../http/env';
import { errorResponse, reauthRequiredResponse, unauthenticatedResponse } from '../http/errors';
import type { SessionsOf } from '../session/session-lifecycle';

/**
 * `/api/sessions`: the signed-in user's sessions (ASVS 5 V7.5), to see where they are signed in
 * and end the others. Reading extends nothing; a 401 leaves the cookie, as `/api/hello` does.
 * Ending needs a recent sign-in (401 `reauth_required` otherwise; ASVS 5 V7.5.2).
 */
export function sessionListRoutes(sessionsOf: SessionsOf<Context<AppEnv>>, cookieMode: CookieSecure) {
  const app = new Hono<AppEnv>();

  app.get('/', async (c) => {
    const result = await sessionsOf(c).list(readSessionCookie(c, cookieMode));
    if (!result.live) return unauthenticatedResponse(c, result.revoked);
    return c.json({ sessions: result.sessions ?? [] } satisfies SessionListResponse);
  });

  app.delete('/', async (c) => {
    // Only "every other session" is a bulk delete here: a bare DELETE must not end them all by accident.
    if (c.req.query('keep') !== 'current') {
      return errorResponse(c, 400, 'bad_request', 'Say which sessions to end: ?keep=current ends all but this one.', {
        field: 'keep',
      });
    }
    const result = await sessionsOf(c).end(readSessionCookie(c, cookieMode), 'others');
    if (!result.live) return unauthenticatedResponse(c, result.revoked);
    if ('reauthRequired' in result) return reauthRequiredResponse(c);
    return c.body(null, 204);
  });

  app.delete('/:id', async (c) => {
    const result = await sessionsOf(c).end(readSessionCookie(c, cookieMode), { publicId: c.req.param('id') });
    if (!result.live) return unauthenticatedResponse(c, result.revoked);
    if ('reauthRequired' in result) return reauthRequiredResponse(c);
    // Unknown, malformed, expired or another user's: the same 404, so ids cannot be probed.
    if (result.ended === 0) return errorResponse(c, 404, 'not_found', 'You have no such session.');
    return c.body(null, 204);
  });

  return app;
}
