import { createBrowserRouter, createMemoryRouter, type RouteObject } from 'react-router';
import { AccountPage } from '../features/session';
import {
  type AuthStore,
  LoginPage,
  loginAction,
  loginHref,
  loginLoader,
  readLoginSearch,
  requireUser,
  useAuth,
} from '../features/auth';
import { HomePage, homeLoader } from '../features/hello';
import { paths } from '../lib/paths';
import { NotFoundPage, RootLayout, SignedInLayout } from './layouts';

function Username({ render }: { render: (username: string) => React.ReactNode }) {
  const state = useAuth();
  return state.status === 'signed-in' ? render(state.user.username) : null;
}

export function appRoutes(auth: AuthStore, { mockApi = false } = {}): RouteObject[] {
  return [
    {
      element: <RootLayout mockApi={mockApi} />,
      hydrateFallbackElement: <p className="loading">Loading…</p>,
      children: [
        { path: paths.login, loader: loginLoader(auth), action: loginAction(auth), element: <LoginPage /> },
        {
          loader: ({ request }) => requireUser(auth, request),
          element: <SignedInLayout />,
          children: [
            {
              index: true,
              loader: homeLoader,
              element: <Username render={(username) => <HomePage username={username} />} />,
            },
            { path: paths.account, element: <Username render={(username) => <AccountPage username={username} />} /> },
          ],
        },
        { path: '*', element: <NotFoundPage /> },
      ],
    },
  ];
}

export type AppRouter = ReturnType<typeof createBrowserRouter>;

/** The router: a browser router, or a memory router at `initialEntries` (tests). */
export function createAppRouter(
  auth: AuthStore,
  options: { mockApi?: boolean; initialEntries?: string[] } = {},
): AppRouter {
  const routes = appRoutes(auth, options);
  return options.initialEntries
    ? createMemoryRouter(routes, { initialEntries: options.initialEntries })
    : createBrowserRouter(routes);
}

/**
 * Moves the router when the auth state changes elsewhere than in a route: any sign-out (button,
 * idle, 401, another tab) replaces the current entry with the login page, so Back cannot show
 * protected content. Returns the function that stops it.
 */
export function navigateOnAuthChanges(router: AppRouter, auth: AuthStore): () => void {
  const stopOnSignOut = auth.onSignOut(({ reason }) => {
    const { pathname, search, hash } = router.state.location;
    // From the login page itself, `next` comes out as home: loginHref never returns there.
    void router.navigate(loginHref({ reason, next: pathname + search + hash }), { replace: true });
  });
  // Another tab signed in: a tab still on the login page goes where it was headed.
  const stopOnSignInElsewhere = auth.onSignInElsewhere(() => {
    const { pathname, search } = router.state.location;
    if (pathname === paths.login) void router.navigate(readLoginSearch(search).next, { replace: true });
  });
  return () => {
    stopOnSignOut();
    stopOnSignInElsewhere();
  };
}
