import { createContext, useContext, useEffect, useState, useSyncExternalStore } from 'react';
import type { SessionPolicy } from '../../../shared/contract';
import type { AuthStore } from './auth-store';

export const AuthContext = createContext<AuthStore | undefined>(undefined);

export function useAuthStore(): AuthStore {
  const auth = useContext(AuthContext);
  if (!auth) throw new Error('useAuthStore must be used inside <AuthContext.Provider>');
  return auth;
}

/** The auth state, re-rendering on every change. */
export function useAuth() {
  const auth = useAuthStore();
  return useSyncExternalStore(auth.subscribe, auth.getState);
}

/** The server's limits (fetched once per page), undefined until they arrive or if they cannot. */
export function usePolicy(): SessionPolicy | undefined {
  const auth = useAuthStore();
  const [policy, setPolicy] = useState<SessionPolicy | undefined>();
  useEffect(() => {
    let current = true;
    void auth.getPolicy().then((value) => current && setPolicy(value));
    return () => {
      current = false;
    };
  }, [auth]);
  return policy;
}
