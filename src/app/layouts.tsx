import { useEffect, useRef } from 'react';
import { Link, Outlet, useLocation } from 'react-router';
import { paths } from '../lib/paths';

/**
 * Every page: the skip link, focus to the heading after a route change, the mock badge.
 * `preload` runs at the first key or pointer press: a user typing their password has the
 * signed-in chunk by the time the sign-in answers, yet the first load does not carry it.
 */
export function RootLayout({ mockApi, preload }: { mockApi: boolean; preload?: () => Promise<unknown> }) {
  useFocusHeadingOnNavigation();
  usePreloadOnFirstInteraction(preload);
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

const interactionEvents = ['keydown', 'pointerdown', 'touchstart'] as const;

/** Calls `preload` once, at the first key or pointer press anywhere in the page. */
function usePreloadOnFirstInteraction(preload: (() => Promise<unknown>) | undefined) {
  useEffect(() => {
    if (!preload) return;
    const start = () => {
      stop();
      // A failed preload is harmless: the route's own `lazy` loads it again and reports errors.
      preload().catch(() => {});
    };
    const stop = () => {
      for (const type of interactionEvents) window.removeEventListener(type, start, true);
    };
    for (const type of interactionEvents) window.addEventListener(type, start, { capture: true, passive: true });
    return stop;
  }, [preload]);
}
