import { redirect, type LoaderFunctionArgs, useLoaderData, useLocation, useNavigate } from 'react-router';
import type { AuthStore } from './auth-store';
import { type LoginPageData, loginPageData } from './login-data';
import { LoginPage } from './login-page';

/** The login route's loader: someone already signed in goes straight to `next`. */
export function loginLoader(auth: AuthStore) {
  return async ({ request }: LoaderFunctionArgs): Promise<LoginPageData> => {
    const data = await loginPageData(auth, new URL(request.url).search);
    if (data.signedIn) throw redirect(data.next);
    return data;
  };
}

/**
 * The login page as a route (after a sign-out, or a visit to a protected page). Keyed by the
 * history entry, so a new visit starts without the previous one's error. A sign-in replaces the
 * login entry with `next`, as a redirect would.
 */
export function LoginRoute({ notice }: { notice?: React.ReactNode }) {
  const data = useLoaderData<LoginPageData>();
  const navigate = useNavigate();
  const { key } = useLocation();
  return (
    <LoginPage key={key} data={data} notice={notice} onSignedIn={(next) => void navigate(next, { replace: true })} />
  );
}
