import { AsyncLocalStorage } from 'node:async_hooks';
import type { RequestScope } from './request-id';

/** The Node server's request scope: an AsyncLocalStorage holding the request's id (not for mock mode). */
export function nodeRequestScope(): RequestScope {
  const storage = new AsyncLocalStorage<string>();
  return { run: (requestId, work) => storage.run(requestId, work), current: () => storage.getStore() };
}
