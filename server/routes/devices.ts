import { Hono, type Context } from 'hono';
import type { CookieSecure } from '../session/policy';
import { readDeviceCookie, readSessionCookie } from '../http/cookies';
import type { AppEnv } from '../http/env';
import { errorResponse, reauthRequiredResponse, unauthenticatedResponse } from '../http/errors';
import type { SessionsOf } from '../session/session-lifecycle';

/**
 * `/api/devices`: the browsers the user signed in on keep a device token (decision 017), which
 * outlives sign-out. `DELETE ?keep=current` forgets all of them but this browser's, with a recent
 * sign-in (401 `reauth_required` otherwise): each is a new device at its next sign-in.
 */
export function deviceRoutes(sessionsOf: SessionsOf<Context<AppEnv>>, cookieMode: CookieSecure) {
  const app = new Hono<AppEnv>();

  app.delete('/', async (c) => {
    // As for sessions: a bare DELETE must not forget this browser too by accident.
    if (c.req.query('keep') !== 'current') {
      return errorResponse(
        c,
        400,
        'bad_request',
        'Say which devices to forget: ?keep=current forgets all but this one.',
        {
          field: 'keep',
        },
      );
    }
    const result = await sessionsOf(c).forgetOtherDevices(
      readSessionCookie(c, cookieMode),
      readDeviceCookie(c, cookieMode),
    );
    if (!result.live) return unauthenticatedResponse(c, result.revoked);
    if ('reauthRequired' in result) return reauthRequiredResponse(c);
    return c.body(null, 204);
  });

  return app;
}
