// The auth feature's react-router pieces, apart from index.ts so that importing the feature does
// not import react-router (docs/decisions/019-router-less-sign-in-page.md).
export { loginLoader, LoginRoute } from './login-route';
export { requireUser } from './require-user';
