import { createBrowserRouter, createMemoryRouter, type RouteObject } from 'react-router';
import { AccountPage } from '../features/session';
import { type AuthStore, LoginPage, loginAction, loginLoader, requireUser, useAuth } from '../features/auth';
import { HomePage, homeLoader } from '../features/hello';
import { loginHref, paths, safeNext } from '../lib/paths';
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

type AppRouter = ReturnType<typeof createBrowserRouter>;

/**
 * The router, wired to the auth store: any sign-out (button, idle, 401, another tab) replaces
 * the current entry with the login page, so Back cannot show protected content.
 */
export function createAppRouter(
  auth: AuthStore,
  options: { mockApi?: boolean; initialEntries?: string[] } = {},
): AppRouter {
  const routes = appRoutes(auth, options);
  const router = options.initialEntries
    ? createMemoryRouter(routes, { initialEntries: options.initialEntries })
    : createBrowserRouter(routes);
  auth.onSignOut(({ reason }) => {
    const { pathname, search, hash } = router.state.location;
    void router.navigate(loginHref({ reason, next: pathname === paths.login ? undefined : pathname + search + hash }), {
      replace: true,
    });
  });
  // Another tab signed in: a tab still on the login page goes where it was headed.
  auth.onSignInElsewhere(() => {
    const { pathname, search } = router.state.location;
    if (pathname === paths.login)
      void router.navigate(safeNext(new URLSearchParams(search).get('next')), { replace: true });
  });
  return router;
}
