/**
 * Store trouble as one kind of error (decision 018). A store that is down, hung or cut off
 * throws `StoreUnavailableError`, and the app answers 503 `store_unavailable` with `Retry-After`
 * instead of 500, within `storeTimeoutMs` of the store call, never hanging.
 */

/** How long one store operation may take before the store counts as unavailable. */
export const storeTimeoutMs = 2_000;

/** What a 503 `store_unavailable` asks clients to wait before trying again, in seconds. */
export const storeRetryAfterSeconds = 2;

/** The store cannot answer now: down, hung past `storeTimeoutMs`, or its connection lost. */
export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError';
}

/**
 * Methods that get no time limit: the background purge (sessions and drafts, server/main.ts) and
 * the operator command's scans of every session may rightly take long; close must finish.
 */
const untimed = new Set(['purgeExpired', 'purgeDrafts', 'close', 'listLive', 'revokeAll']);

/**
 * The same store, with every method (also ones added later) guarded: an error `isUnavailable`
 * recognises becomes a `StoreUnavailableError`, and with `timeoutMs` a call still pending after
 * that long rejects with one (the call itself runs on; a late answer is dropped). Other errors (a
 * bug, a broken invariant) pass through unchanged and stay 500s. A store that cannot hang (SQLite
 * is synchronous underneath, bounded by its busy timeout) passes no `timeoutMs` and pays no timer.
 */
export function guardStore<S extends object>(
  store: S,
  isUnavailable: (error: unknown) => boolean,
  { timeoutMs }: { timeoutMs?: number } = {},
): S {
  const toUnavailable = (error: unknown): never => {
    if (!isUnavailable(error)) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new StoreUnavailableError(`The session store is unavailable: ${message}`, { cause: error });
  };
  const guarded: Record<string, unknown> = {};
  for (const [name, method] of Object.entries(store)) {
    if (typeof method !== 'function') {
      guarded[name] = method;
      continue;
    }
    const limit = timeoutMs !== undefined && !untimed.has(name) ? timeoutMs : undefined;
    guarded[name] = (...args: unknown[]) => {
      let call: Promise<unknown>;
      try {
        call = Promise.resolve(method.apply(store, args)).catch(toUnavailable);
      } catch (error) {
        call = Promise.reject(error).catch(toUnavailable);
      }
      return limit === undefined ? call : withTimeout(call, limit, name);
    };
  }
  return guarded as S;
}

/**
 * `call`, or a `StoreUnavailableError` once `timeoutMs` has passed without an answer. One promise
 * and one timer per call (every heartbeat on Redis makes one): no `Promise.race`, no `finally`.
 */
function withTimeout<T>(call: Promise<T>, timeoutMs: number, name: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new StoreUnavailableError(`The session store did not answer ${name} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    call.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
