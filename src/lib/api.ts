import type {
  ApiError,
  ApiPath,
  HeartbeatRequest,
  HeartbeatResponse,
  HelloResponse,
  SessionPolicy,
  SessionResponse,
  SessionTiming,
  SignInRequest,
} from '../../shared/contract';
import { createListeners } from './listeners';

/** A timing as the client keeps it: the server's durations plus the local time the request was sent. */
export interface TimingSample {
  timing: SessionTiming;
  /** `Date.now()` when the request left: the deadline counts from here, so it is never later than the server's. */
  sentAt: number;
}

export type ApiResult<T> =
  | { ok: true; status: number; data: T; sentAt: number }
  | { ok: false; status: number; error: ApiError; sentAt: number }
  | { ok: false; status: 0; error: { error: 'network'; message: string }; sentAt: number };

const unauthorizedListeners = createListeners();

/**
 * Called on any 401 from a request made with a session (not sign-in, not the start-up check):
 * the server has ended the session, so the client ends it too.
 */
export function onUnauthorized(listener: () => void): () => void {
  return unauthorizedListeners.add(listener);
}

async function request<T>(
  path: ApiPath,
  {
    method = 'GET',
    body,
    authenticated = true,
    keepalive = false,
    timeoutMs,
  }: {
    method?: string;
    body?: unknown;
    authenticated?: boolean;
    keepalive?: boolean;
    /** Give up after this long and report a network failure (a request that hangs is one). */
    timeoutMs?: number;
  } = {},
): Promise<ApiResult<T>> {
  const sentAt = Date.now();
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
      signal: timeoutMs === undefined ? undefined : AbortSignal.timeout(timeoutMs),
    });
  } catch {
    return { ok: false, status: 0, error: { error: 'network', message: 'The server cannot be reached.' }, sentAt };
  }
  if (response.ok) {
    const data = response.status === 204 ? undefined : await response.json().catch(() => undefined);
    return { ok: true, status: response.status, data: data as T, sentAt };
  }
  if (response.status === 401 && authenticated) unauthorizedListeners.notify();
  const error = (await response.json().catch(() => undefined)) as ApiError | undefined;
  return {
    ok: false,
    status: response.status,
    error: error ?? { error: 'internal_error', message: `The server answered ${response.status}.` },
    sentAt,
  };
}

/** The HTTP API of DESIGN section 5, typed by the wire contract. */
export const api = {
  getSession: () => request<SessionResponse>('/api/session', { authenticated: false }),
  getPolicy: () => request<SessionPolicy>('/api/session/policy', { authenticated: false }),
  signIn: (body: SignInRequest) =>
    request<SessionResponse>('/api/session', { method: 'POST', body, authenticated: false }),
  /** Times out after 10 s: a hanging heartbeat is retried like a failed one. */
  heartbeat: (body: HeartbeatRequest) =>
    request<HeartbeatResponse>('/api/session/heartbeat', { method: 'POST', body, timeoutMs: 10_000 }),
  /** `keepalive`: the revocation completes even if the page goes away meanwhile. */
  signOut: () => request<void>('/api/session', { method: 'DELETE', authenticated: false, keepalive: true }),
  hello: () => request<HelloResponse>('/api/hello'),
};
