import type { Context } from 'hono';
import { apiPaths, type ErrorCode } from '../../shared/contract';
import type { AppEnv } from '../http/env';

/**
 * What the HTTP surface reports to the metrics: one call per answered request. An interface, so
 * that createApp (which also runs in the browser, in mock mode) never imports prom-client; the
 * Node server passes prometheus.ts's. No metrics given: no middleware at all.
 */
export interface HttpMetrics {
  /** A request answered: by route template (never the raw path), method, status and outcome. */
  requestAnswered(answer: AnsweredRequest): void;
  /** A request the store could not serve (503 `store_unavailable`, decision 018). */
  storeUnavailable(): void;
}

export interface AnsweredRequest {
  route: string;
  method: string;
  status: number;
  /** The error code when it was an error answer (http/errors.ts sets it). */
  errorCode: ErrorCode | undefined;
  /** What the route said it was, when the status does not tell (`locked`). */
  outcome: string | undefined;
  seconds: number;
}

/** Templates of the API's paths with a parameter, and the paths outside apiPaths. */
const oneSessionPath = /^\/api\/sessions\/[^/]+$/;
const notePath = /^\/api\/notes\/[^/]+$/;
const knownPaths = new Set<string>(Object.values(apiPaths));

/**
 * The route a path is answered by, as a template: one label value per route, whatever ids the
 * paths carry (a raw path would make a time series per session and per note). Paths no route
 * answers are `/api/*` (the API's 404) or `/*` (the SPA's files).
 */
export function routeTemplate(path: string): string {
  if (knownPaths.has(path)) return path;
  if (oneSessionPath.test(path)) return apiPaths.oneSession;
  if (notePath.test(path)) return apiPaths.note;
  return path === '/api' || path.startsWith('/api/') ? '/api/*' : '/*';
}

/** `2xx`, `4xx`, ...: the histogram's status label (a few values, not one per status). */
export function statusClass(status: number): string {
  return `${Math.floor(status / 100)}xx`;
}

/** Client mistakes that end before any rule ran: counted as `bad_request` wherever they happen. */
const badRequestCodes = new Set<ErrorCode | undefined>([
  'bad_request',
  'payload_too_large',
  'unsupported_media_type',
  'cross_site_request',
  'misdirected_request',
  'method_not_allowed',
]);

/** The outcome a counted request had: its route's name for success, else what went wrong. */
function outcome(answer: AnsweredRequest, success: string): string {
  if (answer.outcome !== undefined) return answer.outcome;
  if (answer.status < 400) return success;
  if (answer.status >= 500) return answer.errorCode === 'store_unavailable' ? 'store_unavailable' : 'error';
  if (badRequestCodes.has(answer.errorCode)) return 'bad_request';
  return answer.errorCode ?? 'bad_request';
}

/** Which counter a request goes to, with its outcome label; undefined for requests not counted. */
export function countedOutcome(
  answer: AnsweredRequest,
): { counter: 'signIns' | 'heartbeats' | 'draftSaves'; outcome: string } | undefined {
  const { route, method } = answer;
  if (route === apiPaths.session && method === 'POST')
    return { counter: 'signIns', outcome: outcome(answer, 'success') };
  if (route === apiPaths.heartbeat && method === 'POST')
    return { counter: 'heartbeats', outcome: outcome(answer, 'ok') };
  if (route === apiPaths.draft && method === 'PUT') return { counter: 'draftSaves', outcome: outcome(answer, 'saved') };
  return undefined;
}

/** Any method token reaches the server; only these become label values. */
const knownMethods = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']);

/**
 * What reports a request to `metrics` once it is answered, given when it started
 * (`performance.now()`). Not a middleware of its own: the request-id middleware, the first one,
 * calls it after the rest of the request (http/request-id.ts), so it sees the final answer, error
 * answers included. A middleware of its own would cost every request one more level of hono's
 * `dispatch`: an async function, its promise and an await (decision 022).
 */
export function answeredRequests(metrics: HttpMetrics): (c: Context<AppEnv>, startedAt: number) => void {
  return (c, startedAt) =>
    metrics.requestAnswered({
      route: routeTemplate(c.req.path),
      method: knownMethods.has(c.req.method) ? c.req.method : 'other',
      status: c.res.status,
      errorCode: c.get('errorCode'),
      outcome: c.get('outcome'),
      seconds: (performance.now() - startedAt) / 1000,
    });
}
