import type { AuthStore } from '../features/auth';
import { keepUnsentDrafts } from '../features/notes/tab';
import { type AppRouterOptions, createAppRouter, navigateOnAuthChanges } from './router';
import { createTabAuth } from './tab-auth';

/** The router for a tab's auth store, moved by its sign-ins and sign-outs. */
export function routeApp(auth: AuthStore, options: AppRouterOptions = {}) {
  const router = createAppRouter(auth, options);
  const stopNavigating = navigateOnAuthChanges(router, auth);
  // Text a session could not save before it ended, delivered for its own user only (decision 023).
  const stopKeeping = keepUnsentDrafts(auth);
  return {
    router,
    dispose() {
      stopKeeping();
      stopNavigating();
      router.dispose();
    },
  };
}

/** One running app (one browser tab): its auth store and router, wired together. */
export function createAppInstance(options: AppRouterOptions = {}) {
  const tab = createTabAuth();
  const routed = routeApp(tab.auth, options);
  return {
    auth: tab.auth,
    router: routed.router,
    /** Unhooks everything this instance hooked up (tests create many in one page). */
    dispose() {
      routed.dispose();
      tab.dispose();
    },
  };
}
