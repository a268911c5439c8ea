export { createAuthStore, type AuthStore } from './auth-store';
export { loginAction, loginLoader } from './login-route';
export { loginHref, readLoginSearch } from './login-url';
export { LoginPage } from './login-page';
export { requireUser } from './require-user';
export { isSignOutReason, signOutReasons, type SignOutReason } from './sign-out-reason';
export { AuthContext, useAuth, useAuthStore, usePolicy } from './use-auth';
