// No react-router from here: the first load's sign-in page imports this. The router's pieces
// (loader, route, guard) are in ./routes.ts, imported by the app's router chunk only.
export { createAuthStore, type AuthStore } from './auth-store';
export { type LoginPageData, loginPageData } from './login-data';
export { loginHref, readLoginSearch } from './login-url';
export { LoginPage } from './login-page';
export { isSignOutReason, signOutReasons, type SignOutReason } from './sign-out-reason';
export { AuthContext, useAuth, useAuthStore, usePolicy } from './use-auth';
