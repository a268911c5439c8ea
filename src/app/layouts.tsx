import { useEffect, useRef } from 'react';
import { Link, Outlet, useLocation } from 'react-router';
import { paths } from '../lib/paths';
import { PageTop, usePreloadOnFirstInteraction } from './chrome';

/**
 * Every routed page: the skip link, focus to the heading after a route change, the mock badge.
 * `preload` (the signed-in chunk) runs at the first key or pointer press. `focusHeadingFirst`:
 * the router took over from the first load's sign-in page (first-load.tsx), so its first page
 * is already a route change.
 */
export function RootLayout({
  mockApi,
  preload,
  focusHeadingFirst = false,
}: {
  mockApi: boolean;
  preload?: () => Promise<unknown>;
  focusHeadingFirst?: boolean;
}) {
  useFocusHeadingOnNavigation(focusHeadingFirst);
  usePreloadOnFirstInteraction(preload);
  return (
    <>
      <PageTop mockApi={mockApi} />
      <Outlet />
    </>
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
function useFocusHeadingOnNavigation(focusFirst: boolean) {
  const { pathname } = useLocation();
  const first = useRef(!focusFirst);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    document.querySelector<HTMLElement>('h1')?.focus();
  }, [pathname]);
}
