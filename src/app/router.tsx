import { createBrowserRouter, createMemoryRouter, type RouteObject } from 'react-router';
import { type AuthStore, LoginPage, loginAction, loginLoader, requireUser } from '../features/auth';
import { loginHref, paths, safeNext } from '../lib/paths';
import { NotFoundPage, RootLayout } from './layouts';

/**
 * The signed-in area as its own chunk: the sign-in page never needs react-idle-timer, the session
 * monitor or the dialog. One module, so every signed-in route shares one download.
 */
export const loadSignedIn = () => import('./signed-in');

export function appRoutes(auth: AuthStore, { mockApi = false } = {}): RouteObject[] {
  return [
    {
      element: <RootLayout mockApi={mockApi} preload={loadSignedIn} />,
      hydrateFallbackElement: <p className="loading">Loading…</p>,
      children: [
        { path: paths.login, loader: loginLoader(auth), action: loginAction(auth), element: <LoginPage /> },
        {
          // Static, so a signed-out visitor is redirected without downloading the signed-in chunk.
          loader: ({ request }) => requireUser(auth, request),
          // The navigation waits for `lazy` as for a loader: no spinner, the page renders complete.
          lazy: async () => ({ Component: (await loadSignedIn()).SignedInLayout }),
          children: [
            {
              index: true,
              lazy: async () => {
                const { homeLoader, HomeRoute } = await loadSignedIn();
                return { loader: homeLoader, Component: HomeRoute };
              },
            },
            { path: paths.account, lazy: async () => ({ Component: (await loadSignedIn()).AccountRoute }) },
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
