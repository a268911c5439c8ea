/**
 * A deterministic event loop on a simulated clock. While installed, `globalThis.setTimeout` and
 * `clearTimeout` schedule on it, so code that calls them (the session monitor) runs unchanged:
 * ten simulated minutes take a few milliseconds, and the same seed gives the same run.
 */
export interface VirtualTime {
  now(): number;
  setTimeout(callback: () => void, delay?: number): number;
  clearTimeout(id: number | undefined): void;
  /** Resolves after `ms` of simulated time (for simulated network round trips). */
  sleep(ms: number): Promise<void>;
  /** Runs every timer due up to `until`, in time order, settling promises after each. */
  runUntil(until: number): Promise<void>;
  /** Replaces the global timer functions with these; returns a function that puts them back. */
  install(): () => void;
  pending(): number;
}

interface Timer {
  id: number;
  at: number;
  callback: () => void;
}

/** Lets every promise continuation that is ready run (a real macrotask turn: microtasks drain before it). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

export function createVirtualTime(start = 0): VirtualTime {
  let current = start;
  let nextId = 1;
  // Few timers are pending at any moment (tens), so a plain array and a linear scan are enough.
  const timers: Timer[] = [];

  const api: VirtualTime = {
    now: () => current,
    setTimeout(callback, delay = 0) {
      const id = nextId++;
      timers.push({ id, at: current + Math.max(0, delay), callback });
      return id;
    },
    clearTimeout(id) {
      const index = timers.findIndex((timer) => timer.id === id);
      if (index >= 0) timers.splice(index, 1);
    },
    sleep: (ms) => new Promise((resolve) => void api.setTimeout(resolve, ms)),
    async runUntil(until) {
      await settle();
      for (;;) {
        let earliest = -1;
        for (let i = 0; i < timers.length; i++) {
          // Same due time: the one set first runs first, as in a browser.
          if (
            timers[i].at <= until &&
            (earliest < 0 ||
              timers[i].at < timers[earliest].at ||
              (timers[i].at === timers[earliest].at && timers[i].id < timers[earliest].id))
          ) {
            earliest = i;
          }
        }
        if (earliest < 0) break;
        const [timer] = timers.splice(earliest, 1);
        current = timer.at;
        timer.callback();
        await settle();
      }
      current = Math.max(current, until);
    },
    install() {
      const saved = { setTimeout: globalThis.setTimeout, clearTimeout: globalThis.clearTimeout };
      globalThis.setTimeout = ((callback: () => void, delay?: number) =>
        api.setTimeout(callback, delay)) as unknown as typeof setTimeout;
      globalThis.clearTimeout = ((id: number | undefined) => api.clearTimeout(id)) as unknown as typeof clearTimeout;
      return () => {
        globalThis.setTimeout = saved.setTimeout;
        globalThis.clearTimeout = saved.clearTimeout;
      };
    },
    pending: () => timers.length,
  };
  return api;
}

/** A small seeded PRNG (mulberry32), so every run picks the same tabs. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
