import { createAuthStore } from '../features/auth';
import { onUnauthorized } from '../lib/api';
import { createAppRouter, navigateOnAuthChanges } from './router';

/** One running app (one browser tab): its auth store and router, wired together. */
export function createAppInstance(options: { mockApi?: boolean; initialEntries?: string[] } = {}) {
  const auth = createAuthStore();
  // Any 401 on an authenticated request: the server ended the session, so this client ends it too.
  const stopListening = onUnauthorized(() => auth.signOut('expired'));
  const router = createAppRouter(auth, options);
  const stopNavigating = navigateOnAuthChanges(router, auth);
  return {
    auth,
    router,
    /** Unhooks everything this instance hooked up (tests create many in one page). */
    dispose() {
      stopListening();
      stopNavigating();
      router.dispose();
      auth.close();
    },
  };
}
