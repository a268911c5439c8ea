/**
 * Tells the other tabs of this tab's activity: at once, then at most once per interval, and
 * always the last activity (a trailing edge), so a tab that stops never leaves its last move
 * untold. Knows nothing of heartbeats or deadlines.
 */

export interface ActivityBroadcasterOptions {
  /** The latest activity known when a message leaves (a trailing message carries the newest). */
  latestActivityAt(): number;
  broadcast(at: number): void;
  now(): number;
  /** At most one message per this many ms, read at each report. Default 1000. */
  intervalMs?: () => number;
}

export function createActivityBroadcaster(options: ActivityBroadcasterOptions) {
  const intervalMs = options.intervalMs ?? (() => 1_000);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let lastSentAt = -Infinity;

  function send() {
    timer = undefined;
    lastSentAt = options.now();
    options.broadcast(options.latestActivityAt());
  }

  return {
    /** There was activity: tell the others now, or at the end of the current interval. */
    report() {
      if (timer !== undefined) return;
      const wait = lastSentAt + intervalMs() - options.now();
      if (wait <= 0) send();
      else timer = setTimeout(send, wait);
    },

    /** Drops a message that waits; `report` works again afterwards. */
    stop() {
      clearTimeout(timer);
      timer = undefined;
    },
  };
}

export type ActivityBroadcaster = ReturnType<typeof createActivityBroadcaster>;
