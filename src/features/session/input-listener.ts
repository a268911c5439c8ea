/**
 * How input events reach the session monitor (decisions 032 and 036). Input comes in bursts:
 * pointer moves, wheel, touch moves and scroll 60 times a second or more while a hand moves, keys
 * several times a second while someone types. The monitor needs one report per input window, so
 * the first event of a burst reaches `onInput` and then listeners rest for `restMs()` (the
 * monitor's input window) and listen again. Two ways, depending on the browser:
 *
 * - **Counted** (where the browser counts discrete input without listeners: Event Timing's
 *   `performance.eventCounts`, in Chromium and Firefox). The first event of any type reaches
 *   `onInput`, then every listener rests. At the rest's end, if the counts show a key, press or
 *   touch during it, `onInputDuringRest` gets the earliest time it can have had (just after the
 *   rest began) and the listeners rest on for another window; if not, they listen again. So no
 *   key is ever missed, and typing, with or without moves, costs one call a window (the rest's
 *   end) instead of one per key, and no listener churn.
 * - **Heard** (no counts: Safari, jsdom). Keys, presses and touches are always listened to: each
 *   one reaches `onInput`. Only the continuous type that fired rests: the others have not fired,
 *   so listening on costs nothing.
 *
 * Either way a moving hand is seen again at most one window and one frame after the last report,
 * and the activity time the monitor keeps can be up to one window older than the last input
 * (counted: up to two while someone types, and in the window after), never newer. A lone move
 * inside a rest is not seen; a hand that moves sends many.
 *
 * Capture and passive listeners on `target` (the document), where react-idle-timer listened.
 * Returns the function that stops listening (and the rests' timers).
 */

/** The browser's counts of dispatched events by type (`performance.eventCounts`). */
export interface InputCounts {
  get(type: string): number | undefined;
}

export function listenForInput(
  target: EventTarget,
  {
    discrete,
    continuous,
    onInput,
    onInputDuringRest,
    restMs,
    eventCounts = globalThis.performance?.eventCounts as InputCounts | undefined,
    now = () => Date.now(),
  }: {
    discrete: readonly string[];
    continuous: readonly string[];
    /** An event was heard, now. */
    onInput: () => void;
    /** Counted: keys, presses or touches came during a rest that began with input at `at - 1`. */
    onInputDuringRest: (at: number) => void;
    /** How long listeners rest after reporting, read at each report. */
    restMs: () => number;
    /** Defaults to `performance.eventCounts`; without counts for every discrete type, discrete input is heard. */
    eventCounts?: InputCounts;
    /** The clock `onInputDuringRest` dates by; defaults to `Date.now`, the monitor's. */
    now?: () => number;
  },
): () => void {
  const options = { capture: true, passive: true } as const;
  // A page clock that fakes `performance` (Playwright's, sinon's) leaves `eventCounts` a stub.
  const counts =
    typeof eventCounts?.get === 'function' && discrete.every((type) => Number.isFinite(eventCounts.get(type)))
      ? eventCounts
      : undefined;
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const rest = (ends: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      ends();
    }, restMs());
    timers.add(timer);
  };
  /** The function that stops listening: the rests' timers, and each of these listeners if it listens. */
  const stopping = (listeners: (readonly [string, (event: Event) => void])[]) => () => {
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
    for (const [type, listener] of listeners) target.removeEventListener(type, listener, options);
  };

  if (counts) {
    const all = [...discrete, ...continuous];
    /** Keys, presses and touches so far; NaN if the counts cannot be read (then nothing counts as grown). */
    const counted = () => {
      try {
        return discrete.reduce((sum, type) => sum + (counts.get(type) ?? 0), 0);
      } catch {
        return NaN;
      }
    };
    const listen = () => {
      for (const type of all) target.addEventListener(type, onFirst, options);
    };
    /**
     * Listeners rest from `beganAt`. At the end, if the counts did not grow, they listen again.
     * If keys or presses were counted, the user is still at it: they are reported, and the
     * listeners rest on for another window. Typing costs one call a window, and no listener
     * goes away and comes back while it lasts (each costs the browser more than the call).
     */
    function restFrom(beganAt: number) {
      const countedAtStart = counted();
      rest(() => {
        // Not grown (or unreadable, or fewer: never activity that did not happen): listen again.
        if (!(counted() > countedAtStart)) {
          listen();
          return;
        }
        const endedAt = now();
        // The next rest first: should the report throw, the listeners still come back.
        restFrom(endedAt);
        onInputDuringRest(Math.min(beganAt + 1, endedAt));
      });
    }
    function onFirst() {
      // Listeners off first: should `onInput` throw, the next event still finds them resting.
      for (const type of all) target.removeEventListener(type, onFirst, options);
      restFrom(now());
      onInput();
    }
    listen();
    return stopping(all.map((type) => [type, onFirst] as const));
  }

  function onMove(event: Event) {
    const { type } = event;
    target.removeEventListener(type, onMove, options);
    rest(() => target.addEventListener(type, onMove, options));
    onInput();
  }
  const listeners = [
    ...discrete.map((type) => [type, onInput] as const),
    ...continuous.map((type) => [type, onMove] as const),
  ];
  for (const [type, listener] of listeners) target.addEventListener(type, listener, options);
  return stopping(listeners);
}
