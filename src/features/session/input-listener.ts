/**
 * How input events reach the session monitor (decision 032). Discrete input (a key, a press, a
 * touch) is always listened to: each one reaches `onInput`. Continuous input (pointer moves,
 * wheel, touch moves, scroll) comes 60 times a second or more while a hand moves, and the monitor
 * needs one report per input window: the first event of a burst reaches `onInput`, then the
 * continuous listeners rest for `restMs()` (the monitor's input window) and listen again. A
 * moving mouse is seen again at most one window and one frame after the last report; the
 * activity time the monitor keeps can be up to one window older than the last move, never newer.
 *
 * Capture and passive listeners on `target` (the document), where react-idle-timer listened.
 * Returns the function that stops listening (and the rest's timer).
 */
export function listenForInput(
  target: EventTarget,
  {
    discrete,
    continuous,
    onInput,
    restMs,
  }: {
    discrete: readonly string[];
    continuous: readonly string[];
    onInput: () => void;
    /** How long continuous listeners rest after reporting, read at each report. */
    restMs: () => number;
  },
): () => void {
  const options = { capture: true, passive: true } as const;
  let resting: ReturnType<typeof setTimeout> | undefined;
  const listenToMoves = () => {
    resting = undefined;
    for (const event of continuous) target.addEventListener(event, onMove, options);
  };
  const stopListeningToMoves = () => {
    for (const event of continuous) target.removeEventListener(event, onMove, options);
  };
  function onMove() {
    // Listeners off first: should `onInput` throw, the next move still finds them resting.
    stopListeningToMoves();
    resting = setTimeout(listenToMoves, restMs());
    onInput();
  }
  for (const event of discrete) target.addEventListener(event, onInput, options);
  listenToMoves();
  return () => {
    clearTimeout(resting);
    resting = undefined;
    stopListeningToMoves();
    for (const event of discrete) target.removeEventListener(event, onInput, options);
  };
}
