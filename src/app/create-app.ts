import { createAuthStore } from '../features/auth';
import { onUnauthorized } from '../lib/api';
import { createAppRouter, navigateOnAuthChanges } from './router';

/** One running app (one browser tab): its auth store and router, wired together. */
export function createAppInstance(options: { mockApi?: boolean; initialEntries?: string[] } = {}) {
  const auth = createAuthStore();
  // A 401 on an authenticated request other than a heartbeat (the session monitor handles those):
  // the server ended the session, so this client ends it too.
  const stopListening = onUnauthorized((error) => auth.signOut(error === 'session_revoked' ? 'revoked' : 'expired'));
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
