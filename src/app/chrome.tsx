/**
 * What every page has, with or without the router: the skip link, the mock badge, and the
 * preload of what comes after the sign-in page. No react-router here: the first load's sign-in
 * page (first-load.tsx) uses it before the router has loaded.
 */
import { useEffect } from 'react';

export function PageTop({ mockApi }: { mockApi: boolean }) {
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
    </>
  );
}

/** What a page shows while the start-up check or a first chunk is on its way. */
export function Loading() {
  return <p className="loading">Loading…</p>;
}

const interactionEvents = ['keydown', 'pointerdown', 'touchstart'] as const;

/** The loaders made with `preloader` that have run. */
const requested = new WeakSet<() => Promise<unknown>>();

/**
 * `load` (a chunk's `import()`), remembered once it has run: `usePreloadOnFirstInteraction` then
 * adds no listeners. A signed-in page, whose chunk has loaded, listens for nothing.
 */
export function preloader<T>(load: () => Promise<T>): () => Promise<T> {
  const once = () => {
    requested.add(once);
    return load();
  };
  return once;
}

/**
 * Calls `preload` once, at the first key or pointer press anywhere in the page: a user typing
 * their password has the next chunks by the time the sign-in answers, yet the first load does
 * not carry them. Nothing if a `preloader`'s `preload` has already run.
 */
export function usePreloadOnFirstInteraction(preload: (() => Promise<unknown>) | undefined) {
  useEffect(() => {
    if (!preload || requested.has(preload)) return;
    const start = () => {
      stop();
      // A failed preload is harmless: the real load tries again and reports errors.
      preload().catch(() => {});
    };
    const stop = () => {
      for (const type of interactionEvents) window.removeEventListener(type, start, true);
    };
    for (const type of interactionEvents) window.addEventListener(type, start, { capture: true, passive: true });
    return stop;
  }, [preload]);
}
