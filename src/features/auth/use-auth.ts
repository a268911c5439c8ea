import { createContext, useContext, useSyncExternalStore } from 'react';
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
