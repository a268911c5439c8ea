/**
 * The first page of a tab. On the sign-in page it runs without react-router (29 KB gzip, which
 * kept the first load over 95 KB): the page, its data and its submit come from src/features/auth, and the
 * router chunk (routed-app.tsx) loads at the first key press and takes over after the sign-in.
 * Any other address loads the router chunk at once. After a sign-out the login page is a route
 * (docs/decisions/019-router-less-sign-in-page.md).
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { type AuthStore, AuthContext, LoginPage, type LoginPageData, loginPageData } from '../features/auth';
import { paths } from '../lib/paths';
import { Loading, PageTop, preloader, usePreloadOnFirstInteraction } from './chrome';
import { createTabAuth } from './tab-auth';

const loadRoutedApp = () => import('./routed-app');

/** The router chunk and, behind it, the signed-in chunk: what a sign-in leads to. */
const preloadAfterSignIn = preloader(() => loadRoutedApp().then(({ loadSignedIn }) => loadSignedIn()));

/**
 * Shows the app in `container` at the browser's address. Returns once the first page is on
 * screen; the function it returns unmounts everything (tests start many in one document).
 */
export async function startApp(container: HTMLElement, { mockApi }: { mockApi: boolean }): Promise<() => void> {
  const tab = createTabAuth();
  const { auth } = tab;
  const root = createRoot(container);
  let stopFollowing = () => {};
  let stopRouter = () => {};
  const stop = () => {
    stopFollowing();
    stopRouter();
    root.unmount();
    tab.dispose();
  };
  const route = async (focusHeadingFirst: boolean) => {
    const { renderRoutedApp } = await loadRoutedApp();
    stopRouter = await renderRoutedApp(root, auth, { mockApi, focusHeadingFirst });
  };
  // Until the start-up check answers (and, elsewhere than the sign-in page, the router's first page is ready).
  root.render(<Loading />);
  if (location.pathname !== paths.login) {
    await route(false);
    return stop;
  }

  const data = await loginPageData(auth, location.search);
  if (data.signedIn) {
    history.replaceState(history.state, '', data.next);
    await route(false);
    return stop;
  }
  /** Signed in (here or in another tab): `next` replaces the login entry, and the router takes over there. */
  const goOn = (next: string) => {
    stopFollowing();
    history.replaceState(history.state, '', next);
    // Without the router chunk (network gone), a page load of `next` is the way on.
    route(true).catch(() => location.assign(next));
  };
  stopFollowing = auth.onSignInElsewhere(() => goOn(data.next));
  root.render(
    <StrictMode>
      <SignInPage auth={auth} mockApi={mockApi} data={data} onSignedIn={goOn} />
    </StrictMode>,
  );
  return stop;
}

function SignInPage({
  auth,
  mockApi,
  data,
  onSignedIn,
}: {
  auth: AuthStore;
  mockApi: boolean;
  data: LoginPageData;
  onSignedIn: (next: string) => void;
}) {
  usePreloadOnFirstInteraction(preloadAfterSignIn);
  return (
    <AuthContext.Provider value={auth}>
      <PageTop mockApi={mockApi} />
      <LoginPage data={data} onSignedIn={onSignedIn} />
    </AuthContext.Provider>
  );
}
