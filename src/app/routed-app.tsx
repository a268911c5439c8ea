/**
 * The router half of the app, loaded by first-load.tsx as its own chunk (react-router and the
 * routes): at once on any address but the sign-in page, after the sign-in there.
 */
import type { Root } from 'react-dom/client';
import type { AuthStore } from '../features/auth';
import { App } from './app';
import { routeApp } from './create-app';
import type { AppRouter } from './router';

export { loadSignedIn } from './router';

/**
 * Creates the router at the browser's address and renders it into `root` once its first page is
 * ready (its loaders and lazy routes done): whatever `root` shows until then stays, so the
 * sign-in page never gives way to a loading line. Returns what unhooks the router.
 */
export async function renderRoutedApp(
  root: Root,
  auth: AuthStore,
  options: { mockApi: boolean; focusHeadingFirst: boolean },
): Promise<() => void> {
  const { router, dispose } = routeApp(auth, options);
  await initialized(router);
  root.render(<App auth={auth} router={router} />);
  return dispose;
}

function initialized(router: AppRouter): Promise<void> {
  return new Promise((resolve) => {
    if (router.state.initialized) return resolve();
    const stop = router.subscribe((state) => {
      if (!state.initialized) return;
      stop();
      resolve();
    });
  });
}
