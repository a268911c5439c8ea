import { Hono, type Context } from 'hono';
import { z } from 'zod';
import {
  maxHoldReasonLength,
  type HeartbeatResponse,
  type SessionPolicy,
  type SessionResponse,
} from '../../shared/contract';
import type { SessionConfig } from '../session/policy';
import { readJsonBody } from '../http/body';
import {
  clearSessionCookie,
  readDeviceCookie,
  readSessionCookie,
  writeDeviceCookie,
  writeSessionCookie,
} from '../http/cookies';
import { errorResponse, unauthenticatedResponse } from '../http/errors';
import type { AppEnv } from '../http/env';
import { canonicalUsername, isWellFormedText, usernameProblem } from '../../shared/credentials';
import type { SessionsOf } from '../session/session-lifecycle';

const password = z
  .string({ error: 'Password must be a string.' })
  .min(1, 'Password is required.')
  .max(1024, 'Password is too long.')
  .refine(isWellFormedText, 'Password must be valid Unicode text (it has a broken character).');

const reauthBody = z.strictObject({ password });

const signInBody = z.strictObject({
  username: z
    .string({ error: 'Username must be a string.' })
    .check((ctx) => {
      const problem = usernameProblem(ctx.value);
      if (problem) ctx.issues.push({ code: 'custom', message: problem, input: ctx.value });
    })
    // From here on the name has one form: the password check, the throttle keys, the store and
    // the page all see this one.
    .transform(canonicalUsername),
  password,
});

/** A hold's reason goes to the logs: short, and nothing that could forge a log line. */
const holdReasonPattern = new RegExp(`^[A-Za-z0-9 _-]{1,${maxHoldReasonLength}}$`);

/** A heartbeat's body; the Node server's own heartbeat path (http/node-heartbeat.ts) reads it too. */
export const heartbeatBody = z.strictObject({
  idleForMs: z.number({ error: 'idleForMs must be a number of milliseconds.' }).finite().optional(),
  hold: z
    .string({ error: 'hold must be a string: what keeps the session (e.g. "import").' })
    .regex(holdReasonPattern, `hold must be 1 to ${maxHoldReasonLength} letters, digits, spaces, "-" or "_".`)
    .optional(),
});

/** A live heartbeat's 200 body; the Node server's own heartbeat path writes it too. */
export function heartbeatAnswer({
  session,
  held,
}: {
  session: HeartbeatResponse['session'];
  held?: boolean;
}): HeartbeatResponse {
  return held === undefined ? { session } : { session, hold: held ? 'kept' : 'refused' };
}

/** `/api/session`: sign in, who am I, heartbeat, sign out. */
export function currentSessionRoutes(
  sessionsOf: SessionsOf<Context<AppEnv>>,
  config: SessionConfig,
  frameOrigins: readonly string[] = [],
) {
  const cookieMode = config.cookieSecure;
  const app = new Hono<AppEnv>();

  app.post('/', async (c) => {
    const body = await readJsonBody(c, signInBody);
    if (!body.ok) return body.response;
    const { username, password } = body.value;
    const result = await sessionsOf(c).signIn({
      username,
      password,
      clientAddress: c.get('client').address,
      previousId: readSessionCookie(c, cookieMode),
      deviceToken: readDeviceCookie(c, cookieMode),
      userAgent: c.req.header('User-Agent'),
    });
    if (!result.ok) {
      if (result.reason === 'rate_limited') return rateLimited(c, result);
      return errorResponse(c, 401, 'invalid_credentials', 'The username or password is wrong.');
    }
    writeSessionCookie(c, cookieMode, result.id);
    writeDeviceCookie(c, cookieMode, result.deviceToken, config.deviceTokenMaxAgeMs);
    return c.json(
      { user: result.user, session: { ...result.session, id: result.record.publicId } } satisfies SessionResponse,
      201,
    );
  });

  // Recent sign-in ("sudo mode"): the password once more, for ending sessions and forgetting devices.
  app.post('/reauth', async (c) => {
    const body = await readJsonBody(c, reauthBody);
    if (!body.ok) return body.response;
    const result = await sessionsOf(c).reauthenticate(readSessionCookie(c, cookieMode), body.value.password, {
      clientAddress: c.get('client').address,
      deviceToken: readDeviceCookie(c, cookieMode),
    });
    if (!result.live) return unauthenticatedResponse(c, result.revoked);
    if (result.ok) return c.body(null, 204);
    if (result.reason === 'rate_limited') return rateLimited(c, result);
    return errorResponse(c, 401, 'invalid_credentials', 'The password is wrong.');
  });

  app.get('/', async (c) => {
    const current = await sessionsOf(c).resume(readSessionCookie(c, cookieMode));
    if (!current.live) return unauthenticated(c, current.revoked);
    return c.json({
      user: current.user,
      session: { ...current.session, id: current.record.publicId },
    } satisfies SessionResponse);
  });

  app.get('/policy', (c) =>
    c.json({
      idleTimeoutMs: config.idleTimeoutMs,
      warningMs: config.warningMs,
      absoluteTimeoutMs: config.absoluteTimeoutMs,
      draftRetentionMs: config.draftRetentionMs,
      frameOrigins: [...frameOrigins],
    } satisfies SessionPolicy),
  );

  app.post('/heartbeat', async (c) => {
    // The Node server's own heartbeat path met this error on this very request and handed it
    // over (decision 033): thrown here, it is answered as this route's own (503, 500: onError).
    if (c.env?.failure) throw c.env.failure.error;
    const body = await readJsonBody(c, heartbeatBody, { optional: true });
    if (!body.ok) return body.response;
    const { idleForMs, hold } = body.value;
    const current = await sessionsOf(c).heartbeat(readSessionCookie(c, cookieMode), idleForMs, hold);
    if (!current.live) return unauthenticated(c, current.revoked);
    return c.json(heartbeatAnswer(current));
  });

  app.delete('/', async (c) => {
    // `?id=`: an automatic sign-out names the session it is about; another one (a newer
    // sign-in's cookie) is left alone. It never clears the cookie or the site's storage: its
    // answer can arrive after another tab's sign-in set a new cookie, and a cookie deletion
    // cannot say "only if it still names that session" (decision 031). The record is gone, so the
    // cookie left behind names nothing.
    const expectedId = c.req.query('id');
    const ended = await sessionsOf(c).signOut(readSessionCookie(c, cookieMode), expectedId);
    if (!ended || expectedId !== undefined) return c.body(null, 204);
    clearSessionCookie(c, cookieMode);
    // Tells the browser to drop this origin's storage too, for every tab. Not "cookies": that
    // would also drop the device token, which must outlive sign-out (decision 017).
    c.header('Clear-Site-Data', '"storage"');
    return c.body(null, 204);
  });

  /** 429 for a password attempt the throttle refused; `locked` (the username's lock) for the metrics. */
  function rateLimited(
    c: Context<AppEnv>,
    { retryAfterSeconds, locked }: { retryAfterSeconds: number; locked: boolean },
  ): Response {
    if (locked) c.set('outcome', 'locked');
    c.header('Retry-After', String(retryAfterSeconds));
    return errorResponse(
      c,
      429,
      'rate_limited',
      `Too many failed sign-ins. Try again in ${retryAfterSeconds} seconds.`,
      {
        retryAfterSeconds,
      },
    );
  }

  /** The 401, and the dead cookie cleared so the browser stops sending it. */
  function unauthenticated(c: Context<AppEnv>, revoked: boolean): Response {
    if (readSessionCookie(c, cookieMode) !== undefined) clearSessionCookie(c, cookieMode);
    return unauthenticatedResponse(c, revoked);
  }

  return app;
}
