import { afterEach, describe, expect, it, vi } from 'vitest';
import { onUnauthorized, request } from './api';

afterEach(() => vi.unstubAllGlobals());

/** A `fetch` that answers with `answer` (never, if undefined), or fails once its signal aborts; it keeps each call's signal. */
function stubFetch(answer?: (signal?: AbortSignal) => Response) {
  const signals: (AbortSignal | undefined)[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn((_path: string, init: RequestInit) => {
      const signal = init.signal ?? undefined;
      signals.push(signal);
      return new Promise<Response>((resolve, reject) => {
        signal?.addEventListener('abort', () => reject(signal.reason));
        if (answer) resolve(answer(signal));
      });
    }),
  );
  return signals;
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

/** Resolves once `ms` have passed on the real clock: a timer set after the request's fires after it. */
const pastTimer = (ms: number) =>
  new Promise<void>((resolve) => AbortSignal.timeout(ms).addEventListener('abort', () => resolve()));

describe('request with timeoutMs', () => {
  it('a request that hangs past its timeout is a network failure, and its fetch is aborted', async () => {
    const signals = stubFetch();
    const result = await request('/api/session/heartbeat', { method: 'POST', body: {}, timeoutMs: 20 });
    expect(result).toMatchObject({ ok: false, status: 0, error: { error: 'network' } });
    expect(signals[0]?.aborted).toBe(true);
  });

  it('an answer in time leaves no timer: its signal is still not aborted after the timeout', async () => {
    const signals = stubFetch(() => json(200, { ok: 1 }));
    const result = await request('/api/session/heartbeat', { method: 'POST', body: {}, timeoutMs: 20 });
    expect(result).toMatchObject({ ok: true, status: 200, data: { ok: 1 } });
    await pastTimer(40);
    expect(signals[0]?.aborted).toBe(false);
  });

  it('an error answer in time leaves none either, and keeps its error', async () => {
    const signals = stubFetch(() => json(503, { error: 'store_unavailable', message: 'Try again.' }));
    const result = await request('/api/session', { timeoutMs: 20 });
    expect(result).toMatchObject({ ok: false, status: 503, error: { error: 'store_unavailable' } });
    await pastTimer(40);
    expect(signals[0]?.aborted).toBe(false);
  });

  it('a body cut off by the timeout is no answer at all, not an empty success', async () => {
    // Headers at once, then a body that never ends, errored by the abort as a real fetch's is.
    stubFetch((signal) => {
      const body = new ReadableStream({
        start: (controller) => signal?.addEventListener('abort', () => controller.error(signal.reason)),
      });
      return new Response(body, { status: 200 });
    });
    const result = await request('/api/session', { timeoutMs: 20 });
    expect(result).toMatchObject({ ok: false, status: 0, error: { error: 'network' } });
  });

  it("a refusal whose body the timeout cut off keeps its status (a heartbeat's 401 still ends the session)", async () => {
    stubFetch((signal) => {
      const body = new ReadableStream({
        start: (controller) => signal?.addEventListener('abort', () => controller.error(signal.reason)),
      });
      return new Response(body, { status: 401 });
    });
    const result = await request('/api/session/heartbeat', { method: 'POST', body: {}, timeoutMs: 20 });
    expect(result).toMatchObject({ ok: false, status: 401, error: { error: 'internal_error' } });
  });

  it('a 200 in time that is not JSON is a success without data, as without a timeout', async () => {
    stubFetch(() => new Response('<html>portal</html>', { status: 200 }));
    const result = await request('/api/session', { timeoutMs: 20 });
    expect(result).toMatchObject({ ok: true, status: 200, data: undefined });
  });

  it('a fetch that fails at once leaves no timer behind', async () => {
    const signals: (AbortSignal | undefined)[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn((_path: string, init: RequestInit) => {
        signals.push(init.signal ?? undefined);
        return Promise.reject(new TypeError('Failed to fetch'));
      }),
    );
    const result = await request('/api/session', { timeoutMs: 20 });
    expect(result).toMatchObject({ ok: false, status: 0, error: { error: 'network' } });
    await pastTimer(40);
    expect(signals[0]?.aborted).toBe(false);
  });

  it('a 401 in time is told to the onUnauthorized listeners unless the caller handles it', async () => {
    const heard: unknown[] = [];
    const stop = onUnauthorized((error) => heard.push(error));
    try {
      stubFetch(() => json(401, { error: 'unauthenticated', message: 'Sign in.' }));
      await request('/api/hello', { timeoutMs: 20 });
      await request('/api/session/heartbeat', { method: 'POST', body: {}, timeoutMs: 20, reportUnauthorized: false });
      expect(heard).toEqual(['unauthenticated']);
    } finally {
      stop();
    }
  });

  it('without timeoutMs, fetch gets no signal', async () => {
    const signals = stubFetch(() => json(200, {}));
    await request('/api/session');
    expect(signals).toEqual([undefined]);
  });
});
