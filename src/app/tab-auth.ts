import { createAuthStore } from '../features/auth';
import { onUnauthorized } from '../lib/api';

/** A tab's auth store, ended by any 401 the caller does not handle itself. No router: first-load.tsx uses it. */
export function createTabAuth() {
  const auth = createAuthStore();
  // A 401 on an authenticated request other than a heartbeat (the session monitor handles those):
  // the server ended the session, so this client ends it too.
  const stopListening = onUnauthorized((error) => auth.signOut(error === 'session_revoked' ? 'revoked' : 'expired'));
  return {
    auth,
    dispose() {
      stopListening();
      auth.close();
    },
  };
}
