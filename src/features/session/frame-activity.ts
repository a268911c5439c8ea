/**
 * Activity inside frames (issue 23): input in a same-origin iframe happens in the iframe's own
 * document, which the page's listeners never see. This listens in each same-origin frame's
 * document as it loads (frames added later too), and takes `postMessage` activity reports from
 * frames of allow-listed origins (FRAME_ORIGINS). Plain DOM, no React: activity never renders.
 */

/** What a framed page posts to report activity (`frameActivityMessageType` in shared/contract.ts). */
const activityMessageType = 'idle-session:activity';

export interface FrameActivityOptions {
  /** The events that count as activity (the same as the page's). */
  events: readonly string[];
  onActivity(): void;
  /** Origins whose frames' `postMessage` reports count; any other origin's are ignored. */
  allowedOrigins(): readonly string[];
}

/** Starts watching `root`'s iframes and the window's messages; returns the stop function. */
export function watchFrameActivity(root: Document, options: FrameActivityOptions): () => void {
  const view = root.defaultView;
  const watched = new Map<HTMLIFrameElement, () => void>();
  const activity = () => options.onActivity();

  /** Listens in the frame's current document, if it is same-origin (cross-origin: null, or it throws). */
  function listenInside(frame: HTMLIFrameElement) {
    let inner: Document | null;
    try {
      inner = frame.contentDocument;
    } catch {
      inner = null;
    }
    if (!inner) return;
    for (const event of options.events) inner.addEventListener(event, activity, { capture: true, passive: true });
  }

  function watch(frame: HTMLIFrameElement) {
    if (watched.has(frame)) return;
    // Each load is a new document: listen again (the old one's listeners went with it).
    const onLoad = () => listenInside(frame);
    frame.addEventListener('load', onLoad);
    watched.set(frame, () => frame.removeEventListener('load', onLoad));
    if (frame.contentDocument?.readyState === 'complete') listenInside(frame);
  }

  const scan = () => root.querySelectorAll('iframe').forEach(watch);
  scan();
  const observer = new MutationObserver(scan);
  observer.observe(root, { childList: true, subtree: true });

  const onMessage = (event: MessageEvent) => {
    if (!options.allowedOrigins().includes(event.origin)) return;
    const data = event.data as { type?: unknown } | null;
    if (typeof data === 'object' && data !== null && data.type === activityMessageType) activity();
  };
  view?.addEventListener('message', onMessage);

  return () => {
    observer.disconnect();
    view?.removeEventListener('message', onMessage);
    for (const stop of watched.values()) stop();
    watched.clear();
  };
}
