import { useEffect, useRef } from 'react';
import { Link, NavLink, Outlet, useLocation } from 'react-router';
import { useAuth, useAuthStore } from '../features/auth';
import { SessionNotices, SessionProvider, TimeoutDialog } from '../features/session';
import { paths } from '../lib/paths';

/** Every page: the skip link, focus to the heading after a route change, the mock badge. */
export function RootLayout({ mockApi }: { mockApi: boolean }) {
  useFocusHeadingOnNavigation();
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      {mockApi && (
        <p className="mock-badge" title="Requests are answered in the browser by MSW running the real server code">
          mock API
        </p>
      )}
      <Outlet />
    </>
  );
}

/** Signed-in pages: header, session notices, the idle warning. Its loader (requireUser) guards it. */
export function SignedInLayout() {
  const auth = useAuthStore();
  const state = useAuth();
  if (state.status !== 'signed-in') return null;
  const signOut = () => auth.signOut('signed-out');
  return (
    // Keyed by user: if another tab signs in as someone else, this tab starts over as them.
    <SessionProvider key={state.user.username} auth={auth} initial={state.sample}>
      <header className="app-header">
        <Link to={paths.home} className="brand">
          Idle Session
        </Link>
        <nav aria-label="Main">
          <NavLink to={paths.home} end>
            Home
          </NavLink>
          <NavLink to={paths.account}>Account</NavLink>
        </nav>
        <div className="who">
          <span className="who-name">
            Signed in as <strong>{state.user.username}</strong>
          </span>
          <button type="button" className="button secondary small" onClick={signOut}>
            Sign out
          </button>
        </div>
      </header>
      <SessionNotices />
      <main id="main" className="page">
        <Outlet />
      </main>
      <TimeoutDialog onSignOut={signOut} />
    </SessionProvider>
  );
}

export function NotFoundPage() {
  return (
    <main id="main" className="page">
      <title>Page not found – Idle Session</title>
      <h1 tabIndex={-1}>Page not found</h1>
      <p>There is nothing at this address.</p>
      <p>
        <Link to={paths.home}>Go to the home page</Link>
      </p>
    </main>
  );
}

/** After a route change (not the first load), focus moves to the page's heading, as a page load would. */
function useFocusHeadingOnNavigation() {
  const { pathname } = useLocation();
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    document.querySelector<HTMLElement>('h1')?.focus();
  }, [pathname]);
}
