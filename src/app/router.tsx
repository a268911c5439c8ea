import { createBrowserRouter, createMemoryRouter, type RouteObject } from 'react-router';
import { type AuthStore, loginHref, readLoginSearch } from '../features/auth';
import { loginLoader, LoginRoute, requireUser } from '../features/auth/routes';
import { UnsentDraftNotice } from '../features/notes/tab';
import { paths } from '../lib/paths';
import { Loading, preloader } from './chrome';
import { NotFoundPage, RootLayout } from './layouts';

/**
 * The signed-in area as its own chunk: the sign-in page never needs react-idle-timer, the session
 * monitor or the dialog. One module, so every signed-in route shares one download.
 */
export const loadSignedIn = preloader(() => import('./signed-in'));

export interface AppRouterOptions {
  mockApi?: boolean;
  /** Memory router at these entries (tests); else the browser's address. */
  initialEntries?: string[];
  /** The router takes over from the first load's sign-in page: its first page is a route change. */
  focusHeadingFirst?: boolean;
}

export function appRoutes(
  auth: AuthStore,
  { mockApi = false, focusHeadingFirst = false }: AppRouterOptions = {},
): RouteObject[] {
  return [
    {
      element: <RootLayout mockApi={mockApi} preload={loadSignedIn} focusHeadingFirst={focusHeadingFirst} />,
      hydrateFallbackElement: <Loading />,
      children: [
        { path: paths.login, loader: loginLoader(auth), element: <LoginRoute notice={<UnsentDraftNotice />} /> },
        {
          // Static: it decides before any of the chunk runs. react-router starts every matched
          // route's `lazy` at once, beside the loaders, so a signed-out visitor still downloads it.
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
            {
              path: paths.notes,
              lazy: async () => {
                const { notesLoader, NotesRoute } = await loadSignedIn();
                return { loader: () => notesLoader(auth), Component: NotesRoute };
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

export type AppRouter = ReturnType<typeof createBrowserRouter>;

/** The router: a browser router, or a memory router at `initialEntries` (tests). */
export function createAppRouter(auth: AuthStore, options: AppRouterOptions = {}): AppRouter {
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
    // Elsewhere the page's data was loaded for the old session: load it again for the new one.
    else void router.revalidate();
  });
  return () => {
    stopOnSignOut();
    stopOnSignInElsewhere();
  };
}
