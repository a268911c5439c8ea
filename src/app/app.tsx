import { StrictMode } from 'react';
import { RouterProvider } from 'react-router';
import { AuthContext, type AuthStore } from '../features/auth';
import type { createAppRouter } from './router';

export function App({ auth, router }: { auth: AuthStore; router: ReturnType<typeof createAppRouter> }) {
  return (
    <StrictMode>
      <AuthContext.Provider value={auth}>
        <RouterProvider router={router} />
      </AuthContext.Provider>
    </StrictMode>
  );
}
