export { createAuthStore, type AuthStore } from './auth-store';
export { loginAction, loginLoader } from './login-route';
export { LoginPage } from './login-page';
export { requireUser } from './require-user';
export { AuthContext, useAuth, useAuthStore } from './use-auth';
