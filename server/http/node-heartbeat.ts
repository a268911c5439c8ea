import type { IncomingMessage, ServerResponse } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { apiPaths, maxBodyBytes } from '../../shared/contract';
import { createApp, sessionRulesOf, type AppDependencies } from '../app';
import { createJsonLogger, type Logger } from '../logger';
import { heartbeatAnswer, heartbeatBody } from '../routes/current-session';
import { createSessions } from '../session/session-lifecycle';
import { isJsonContentType, parseJsonBody } from './body';
import { clientViewOf } from './client';
import { cookieIn, usesSecureCookies } from './cookies';
import type { AppBindings } from './env';
import { isPublicHost, publicOrigins } from './origin';
import { requestIdHeader, requestIdOf, withRequestId } from './request-id';
import { apiHeaders, comesFromPublicOrigin, sendsStrictTransportSecurity, strictTransportSecurity } from './security';

/** What the Node server hands the app with each request: node-server's own, and ours. */
type NodeBindings = AppBindings & { incoming: IncomingMessage; outgoing: ServerResponse };

/** The answer's headers besides the id: the app's API set (decision 020) and its JSON type. */
const answerHeaders = Object.entries({ ...apiHeaders, 'Content-Type': 'application/json' }).flat();
const answerHeadersOverHttps = [...answerHeaders, 'Strict-Transport-Security', strictTransportSecurity];
/**
 * The headers this path reads. It takes a request only when each is sent at most once: the adapter
 * reads some of a repeated header's lines (the first `Host`) and joins others (`Cookie` with "; ",
 * the rest with ", "), and a request with one line of each reads the same everywhere.
 */
const headersRead = new Set([
  'host',
  'content-length',
  'content-type',
  'transfer-encoding',
  'origin',
  'sec-fetch-site',
  'cookie',
  'x-forwarded-host',
  'x-forwarded-proto',
  'x-forwarded-for',
  'x-request-id',
]);

/** More header lines than this, and the request is the app's (see headersOnce); a browser sends about 15. */
const maxHeaderLines = 100;

/**
 * The headers of `headersRead` in Node's raw list (name, value, name, value, ...; names as sent),
 * by lowercase name, or undefined when one of them comes more than once. One pass and one object
 * (Node's `headersDistinct` builds an array for every header).
 */
function headersOnce(raw: string[]): Map<string, string> | undefined {
  // Node keeps every line in `rawHeaders` but only the first ones in `headers`, which the adapter
  // reads: a request with more lines than any browser sends goes to the app, read one way.
  if (raw.length > 2 * maxHeaderLines) return undefined;
  const found = new Map<string, string>();
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i].toLowerCase();
    if (!headersRead.has(name)) continue;
    if (found.has(name)) return undefined;
    found.set(name, raw[i + 1]);
  }
  return found;
}
/**
 * A `Host` the adapter puts in the request's URL as it is (@hono/node-server's `reValidHost`);
 * it parses, and may refuse, any other, and such a request goes to it.
 */
const plainHost = /^[a-z0-9._-]+(?::(?:[1-5]\d{3,4}|[6-9]\d{3}))?$/;
/** A heartbeat's body is ASCII: its numbers and a hold's reason (`[A-Za-z0-9 _-]`). */
const nonAscii = /[^\x00-\x7f]/; // eslint-disable-line no-control-regex

/**
 * The Node server's request listener: the app, made from `dependencies` (app.ts), through
 * @hono/node-server for every request, except the heartbeat's ordinary case, which it answers
 * itself from the same dependencies (decision 033).
 *
 * Every tab's heartbeat is the request that decides how many users a process carries, and the
 * framework's adapter (a Web Request and Response made from Node's objects and back) cost it more
 * than everything else it does (about 30 µs of 70 on the memory store). This path answers a
 * heartbeat the app would answer 200 without that adapter: the same checks in the same order,
 * by the same functions (host, origin, body size and type, the body's schema, the cookie, the
 * request id, `extendLive` of the session rules), the same headers and body, the same metrics.
 *
 * Anything else goes to the app, so every error answer has one implementation:
 * - a request whose headers do not pass every check goes to the app untouched, body unread;
 * - once the body is read (a heartbeat's is a few bytes), a body the schema refuses, a session
 *   that is not live, or an error of the store is handed over as a Request with that body, the
 *   error in `failure` (the route throws it: the store is not asked twice).
 * A test (node-heartbeat.test.ts) sends the same requests, seeded and random, to this listener
 * and to the app alone, and holds that every answer is the same.
 */
export function nodeRequestListener(
  dependencies: AppDependencies,
): (incoming: IncomingMessage, outgoing: ServerResponse) => void {
  const { config, metrics } = dependencies;
  const logger = dependencies.logger ?? createJsonLogger();
  const fetch: (request: Request, env: NodeBindings) => Response | Promise<Response> = createApp({
    ...dependencies,
    logger,
  }).fetch;
  const app = getRequestListener(fetch as Parameters<typeof getRequestListener>[0]);
  const rules = sessionRulesOf(dependencies);
  const sessions = (requestLogger: Logger) => createSessions({ ...rules, logger: requestLogger });
  // The rules for requests without a hold, whose only log line is the hold's: made once.
  const quietSessions = sessions(logger);
  const cookieSecure = config.session.cookieSecure;
  const trustProxy = config.trustProxy ?? false;
  const allowedOrigins = publicOrigins(config.publicOrigins);

  return (incoming, outgoing) => {
    if (incoming.method !== 'POST' || incoming.url !== apiPaths.heartbeat) return app(incoming, outgoing);
    const startedAt = metrics ? performance.now() : 0;
    const once = headersOnce(incoming.rawHeaders);
    if (!once) return app(incoming, outgoing);
    const header = (name: string) => once.get(name.toLowerCase());
    const contentLength = header('Content-Length');
    const host = header('Host');
    if (
      host === undefined ||
      !plainHost.test(host) ||
      header('Transfer-Encoding') !== undefined ||
      contentLength === undefined ||
      !/^\d{1,4}$/.test(contentLength) ||
      Number(contentLength) > maxBodyBytes ||
      !isJsonContentType(header('Content-Type'))
    ) {
      return app(incoming, outgoing);
    }
    // The server speaks plain http: https is a proxy's, said in X-Forwarded-Proto (TRUST_PROXY).
    const url = () => `http://${host}${incoming.url}`;
    const client = clientViewOf(header, url, incoming.socket.remoteAddress ?? 'unknown', trustProxy);
    if (
      !isPublicHost(client.host, allowedOrigins) ||
      !comesFromPublicOrigin(header('Sec-Fetch-Site'), header('Origin'), allowedOrigins)
    ) {
      return app(incoming, outgoing);
    }

    // Never expected: the app answers every error itself. Logged, and a bare 500, as node-server does.
    const broken = (error: unknown) => {
      logger.error('unhandled_error', {
        path: apiPaths.heartbeat,
        message: error instanceof Error ? error.message : String(error),
        stack: error instanceof Error ? error.stack : undefined,
      });
      if (!outgoing.headersSent) outgoing.writeHead(500);
      outgoing.end();
    };
    const handOver = (body: Buffer, failure?: { error: unknown }) => {
      try {
        const request = new Request(url(), {
          method: 'POST',
          headers: pairs(incoming.rawHeaders),
          body: new Uint8Array(body),
        });
        Promise.resolve(fetch(request, { incoming, outgoing, failure }))
          .then((response) => writeResponse(outgoing, response))
          .catch(broken);
      } catch (error) {
        broken(error);
      }
    };

    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('error', (error) => handOver(Buffer.concat(chunks), { error }));
    incoming.on('end', () => {
      try {
        respond();
      } catch (error) {
        broken(error);
      }
    });
    /** Once the body is in: the 200, or the request handed over. */
    const respond = () => {
      const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
      const text = body.toString('latin1');
      const parsed = nonAscii.test(text)
        ? undefined
        : parseJsonBody(text, header('Content-Type'), heartbeatBody, { optional: true });
      if (!parsed?.ok) return handOver(body);
      const requestId = requestIdOf(header(requestIdHeader), trustProxy);
      const { idleForMs, hold } = parsed.value;
      const rules = hold === undefined ? quietSessions : sessions(withRequestId(logger, requestId));
      const sessionId = cookieIn(header('Cookie'), usesSecureCookies(cookieSecure, client), 'sid');
      rules
        .extendLive(sessionId, idleForMs, hold)
        .then(
          (current) => {
            if (!current) return handOver(body);
            const answer = JSON.stringify(heartbeatAnswer(current));
            // Node's flat list form (name, value, ...): no object made per answer.
            outgoing.writeHead(200, [
              requestIdHeader,
              requestId,
              ...(sendsStrictTransportSecurity(client, cookieSecure) ? answerHeadersOverHttps : answerHeaders),
              'Content-Length',
              String(Buffer.byteLength(answer)),
            ]);
            outgoing.end(answer);
            metrics?.requestAnswered({
              route: apiPaths.heartbeat,
              method: 'POST',
              status: 200,
              errorCode: undefined,
              outcome: undefined,
              seconds: (performance.now() - startedAt) / 1000,
            });
          },
          (error: unknown) => handOver(body, { error }),
        )
        .catch(broken);
    };
  };
}

/** Node's raw header list as [name, value] pairs, each line of a repeated header its own pair. */
function pairs(raw: string[]): [string, string][] {
  const result: [string, string][] = [];
  for (let i = 0; i < raw.length; i += 2) result.push([raw[i], raw[i + 1]]);
  return result;
}

/** A Response from the app, written to Node's response (each `Set-Cookie` a line of its own). */
async function writeResponse(outgoing: ServerResponse, response: Response): Promise<void> {
  const body = Buffer.from(await response.arrayBuffer());
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  if (body.length > 0 && headers['content-length'] === undefined) headers['content-length'] = String(body.length);
  outgoing.writeHead(response.status, headers);
  outgoing.end(body);
}
