import type {
  ApiError,
  ApiPath,
  ErrorCode,
  HeartbeatRequest,
  HeartbeatResponse,
  HelloResponse,
  ReauthRequest,
  SessionListResponse,
  SessionPolicy,
  SessionResponse,
  SignInRequest,
} from '../../shared/contract';
import { createListeners } from './listeners';

export type ApiResult<T> =
  | { ok: true; status: number; data: T; sentAt: number }
  | { ok: false; status: number; error: ApiError; sentAt: number }
  | { ok: false; status: 0; error: { error: 'network'; message: string }; sentAt: number };

const unauthorizedListeners = createListeners<[ErrorCode | undefined]>();

/**
 * Whether a failed request means "the server cannot answer now", to be treated like no answer at
 * all: no connection (status 0), 503 (the server's store is down, `store_unavailable`, or a
 * proxy's "unavailable"), 502 and 504 (a proxy in front of a server that is restarting). Callers
 * keep retrying and never end a session for it (decision 018).
 */
export function isServerUnreachable(result: ApiResult<unknown>): boolean {
  return !result.ok && (result.status === 0 || result.status === 502 || result.status === 503 || result.status === 504);
}

/**
 * Called on a 401 from a request made with a session whose caller does not handle it itself (not
 * sign-in, not the start-up check, not the heartbeat, whose 401 the session monitor handles):
 * the server has ended the session, so the client ends it too.
 */
export function onUnauthorized(listener: (error: ErrorCode | undefined) => void): () => void {
  return unauthorizedListeners.add(listener);
}

/** An API path, one with a query (`/api/sessions?keep=current`), or one with an id in it (`/api/notes/<id>`). */
export type RequestPath = ApiPath | `${ApiPath}?${string}` | `${ApiPath}/${string}`;

/** Any API request, typed by the caller; the features' own API modules go through here. */
export async function request<T>(
  path: RequestPath,
  {
    method = 'GET',
    body,
    reportUnauthorized = true,
    keepalive = false,
    timeoutMs,
  }: {
    method?: string;
    body?: unknown;
    /** Tell the `onUnauthorized` listeners of a 401; false where the caller handles a 401 itself. */
    reportUnauthorized?: boolean;
    keepalive?: boolean;
    /** Give up after this long and report a network failure (a request that hangs is one). */
    timeoutMs?: number;
  } = {},
): Promise<ApiResult<T>> {
  const sentAt = Date.now();
  const network = {
    ok: false,
    status: 0,
    error: { error: 'network', message: 'The server cannot be reached.' },
    sentAt,
  } as const;
  // A timer of our own, cleared once the answer is read. `AbortSignal.timeout` fires at its end
  // even when the answer came long before: a wake-up 10 s after every heartbeat, for nothing.
  const timeout = timeoutMs === undefined ? undefined : new AbortController();
  const timer = timeout && setTimeout(() => timeout.abort(), timeoutMs);
  try {
    let response: Response;
    try {
      response = await fetch(path, {
        method,
        credentials: 'same-origin',
        keepalive,
        headers:
          body === undefined
            ? { Accept: 'application/json' }
            : { Accept: 'application/json', 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: timeout?.signal,
      });
    } catch {
      return network;
    }
    // A body that is not JSON reads as none. A success whose body the timeout cut off is no
    // answer at all; a refusal's status stands without its body.
    const answer = response.status === 204 ? undefined : await response.json().catch(() => undefined);
    if (response.ok && timeout?.signal.aborted) return network;
    if (response.ok) return { ok: true, status: response.status, data: answer as T, sentAt };
    const error = answer as ApiError | undefined;
    // Two 401s leave the session live: a wrong password entered again, and a request that needs one.
    const sessionLive = error?.error === 'reauth_required' || error?.error === 'invalid_credentials';
    if (response.status === 401 && reportUnauthorized && !sessionLive) unauthorizedListeners.notify(error?.error);
    return {
      ok: false,
      status: response.status,
      error: error ?? { error: 'internal_error', message: `The server answered ${response.status}.` },
      sentAt,
    };
  } finally {
    clearTimeout(timer);
  }
}

/** Tells the `onUnauthorized` listeners of a 401 from a request made outside `request` (an upload). */
export function reportUnauthorized(error: ErrorCode | undefined): void {
  unauthorizedListeners.notify(error);
}

/** The HTTP API (docs/design.md#http-api), typed by the wire contract. */
export const api = {
  getSession: () => request<SessionResponse>('/api/session', { reportUnauthorized: false }),
  getPolicy: () => request<SessionPolicy>('/api/session/policy', { reportUnauthorized: false }),
  signIn: (body: SignInRequest) =>
    request<SessionResponse>('/api/session', { method: 'POST', body, reportUnauthorized: false }),
  /**
   * Times out after 10 s: a hanging heartbeat is retried like a failed one. Its 401 is not
   * reported to `onUnauthorized`: the session monitor ends the session (one path, also for its
   * retries and Stay signed in, and it tells the other tabs).
   */
  heartbeat: (body: HeartbeatRequest) =>
    request<HeartbeatResponse>('/api/session/heartbeat', {
      method: 'POST',
      body,
      timeoutMs: 10_000,
      reportUnauthorized: false,
    }),
  /**
   * `keepalive`: the revocation completes even if the page goes away meanwhile. `sessionId`: an
   * automatic sign-out names the session it is about, so it cannot end a newer one that another
   * tab signed in meanwhile (the cookie is that one's by then).
   */
  signOut: (sessionId?: string) =>
    request<void>(sessionId === undefined ? '/api/session' : `/api/session?id=${encodeURIComponent(sessionId)}`, {
      method: 'DELETE',
      reportUnauthorized: false,
      keepalive: true,
    }),
  /** The signed-in user's live sessions. */
  listSessions: () => request<SessionListResponse>('/api/sessions'),
  /** Ends one of the user's sessions, by its public id. */
  endSession: (id: string) => request<void>(`/api/sessions/${encodeURIComponent(id)}`, { method: 'DELETE' }),
  /** Ends every session of the user but this one. */
  endOtherSessions: () => request<void>('/api/sessions?keep=current', { method: 'DELETE' }),
  /** Forgets the device tokens of every browser of the user but this one. */
  forgetOtherDevices: () => request<void>('/api/devices?keep=current', { method: 'DELETE' }),
  /** The password once more (recent sign-in), before ending sessions or forgetting devices. */
  reauthenticate: (body: ReauthRequest) => request<void>('/api/session/reauth', { method: 'POST', body }),
  hello: () => request<HelloResponse>('/api/hello'),
};
